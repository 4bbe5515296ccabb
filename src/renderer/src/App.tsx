import { AppShell, Badge, Group, Loader, Tabs, Text, Title } from '@mantine/core';
import { Suspense, lazy, useEffect, useState } from 'react';
import { call } from './api.js';
import { KeysScreen } from './screens/KeysScreen.js';
import { useSession } from './SessionProvider.js';

// The first tab's screen comes with the page. The others are separate chunks: React fetches them when
// it pre-renders the hidden tabs, which it does only after the first tab is on screen.
const CsrScreen = lazy(() => import('./screens/CsrScreen.js').then((m) => ({ default: m.CsrScreen })));
const InspectScreen = lazy(() => import('./screens/InspectScreen.js').then((m) => ({ default: m.InspectScreen })));
const ExportScreen = lazy(() => import('./screens/ExportScreen.js').then((m) => ({ default: m.ExportScreen })));
const PushScreen = lazy(() => import('./screens/PushScreen.js').then((m) => ({ default: m.PushScreen })));

const TABS = [
  { value: 'keys', label: 'Keys', Screen: KeysScreen },
  { value: 'csr', label: 'CSR', Screen: CsrScreen },
  { value: 'inspect', label: 'Inspect & Match', Screen: InspectScreen },
  { value: 'export', label: 'Export', Screen: ExportScreen },
  { value: 'push', label: 'Push', Screen: PushScreen },
] as const;

/** Shown in a tab whose code has not arrived yet; on a local disk, rarely long enough to be seen. */
function ScreenLoading(): React.JSX.Element {
  return (
    <Group justify="center" py="xl">
      <Loader role="status" aria-label="Loading this step" />
    </Group>
  );
}

/** The workbench: one tab per step of the flow, all sharing the session's items. */
export function App(): React.JSX.Element {
  const [version, setVersion] = useState('');
  const [tab, setTab] = useState<string>('keys');
  const { items } = useSession();
  useEffect(() => {
    void call('app:info', {}).then((r) => { if (r.ok) setVersion(r.value.version); });
  }, []);
  const counts = {
    keys: items.filter((i) => i.kind === 'private-key').length,
    inspect: items.length,
  } as Record<string, number>;

  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs" align="baseline">
            <Title order={1} size="h3">certbench</Title>
            {version && <Text size="sm" c="dimmed">{version}</Text>}
          </Group>
          <Text size="sm" c="dimmed">Keys, CSRs, inspect &amp; match, export for Junos, Apstra, SPS and SD Cloud, push to Junos, Apstra and SPS</Text>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Tabs value={tab} onChange={(v) => setTab(v ?? 'keys')} keepMounted>
          <Tabs.List mb="md" aria-label="Workbench steps">
            {TABS.map((t) => (
              <Tabs.Tab
                key={t.value}
                value={t.value}
                rightSection={counts[t.value] ? <Badge size="xs" variant="light" aria-hidden="true">{counts[t.value]}</Badge> : undefined}
              >
                {t.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {TABS.map((t) => (
            <Tabs.Panel key={t.value} value={t.value}>
              <Suspense fallback={<ScreenLoading />}>
                <t.Screen />
              </Suspense>
            </Tabs.Panel>
          ))}
        </Tabs>
      </AppShell.Main>
    </AppShell>
  );
}
