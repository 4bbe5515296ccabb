import { AppShell, Badge, Group, Tabs, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { call } from './api.js';
import { CsrScreen } from './screens/CsrScreen.js';
import { ExportScreen } from './screens/ExportScreen.js';
import { InspectScreen } from './screens/InspectScreen.js';
import { KeysScreen } from './screens/KeysScreen.js';
import { PushScreen } from './screens/PushScreen.js';
import { useSession } from './SessionProvider.js';

const TABS = [
  { value: 'keys', label: 'Keys', Screen: KeysScreen },
  { value: 'csr', label: 'CSR', Screen: CsrScreen },
  { value: 'inspect', label: 'Inspect & Match', Screen: InspectScreen },
  { value: 'export', label: 'Export', Screen: ExportScreen },
  { value: 'push', label: 'Push', Screen: PushScreen },
] as const;

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
          <Text size="sm" c="dimmed">Keys, CSRs, inspect &amp; match, export for Junos, Apstra, SPS and SD Cloud</Text>
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
              <t.Screen />
            </Tabs.Panel>
          ))}
        </Tabs>
      </AppShell.Main>
    </AppShell>
  );
}
