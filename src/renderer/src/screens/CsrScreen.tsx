import { Alert, Button, Card, Grid, Group, MultiSelect, Select, Stack, TagsInput, Text, Title } from '@mantine/core';
import { useCallback, useRef, useState } from 'react';
import type { IpcError, ResponseOf } from '../../../shared/contract.js';
import { call } from '../api.js';
import { BusyButton } from '../components/BusyButton.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { ItemCard } from '../components/ItemCard.js';
import { OpensslPreview } from '../components/OpensslPreview.js';
import { SanEditor } from '../components/SanEditor.js';
import { SubjectFields } from '../components/SubjectFields.js';
import { TemplatePanel, type ParsedTemplate } from '../components/TemplatePanel.js';
import {
  EXTENDED_KEY_USAGES, KEY_USAGES, emptySubject, sanList, subjectAttrs, subjectFromAttrs,
  type SanRowState, type SubjectValues,
} from '../csr-form.js';
import { fileStem, itemLabel } from '../item-format.js';
import { useSession } from '../SessionProvider.js';

type Built = ResponseOf<'csr:build'>;

/** The CSR builder: key, template with placeholders, subject, SANs, live OpenSSL equivalent, build and preview. */
export function CsrScreen(): React.JSX.Element {
  const { items, add, forget } = useSession();
  const keys = items.filter((i) => i.kind === 'private-key');
  const [keyId, setKeyId] = useState<string | null>(null);
  const key = keys.find((k) => k.id === keyId) ?? keys[keys.length - 1];

  const [subject, setSubject] = useState<SubjectValues>(emptySubject);
  const [sanRows, setSanRows] = useState<SanRowState[]>([]);
  const [keyUsage, setKeyUsage] = useState<string[]>([]);
  const [eku, setEku] = useState<string[]>([]);
  const [templateNote, setTemplateNote] = useState('');
  const rowKey = useRef(0);

  const applyTemplate = useCallback((t: ParsedTemplate): void => {
    const { subject: s, dropped } = subjectFromAttrs(t.subject);
    setSubject(s);
    setSanRows(t.sans.map((san) => ({ ...san, key: rowKey.current++ })));
    setKeyUsage(t.keyUsage);
    setEku(t.extendedKeyUsage);
    setTemplateNote(dropped.length > 0 ? `The template has more than one ${dropped.join(', ')} value; the form keeps the first of each.` : '');
  }, []);

  const attrs = subjectAttrs(subject);
  const sans = sanList(sanRows);
  const usage = {
    ...(keyUsage.length > 0 ? { keyUsage } : {}),
    ...(eku.length > 0 ? { extendedKeyUsage: eku } : {}),
  };
  const cn = subject.CN.trim();
  const stem = fileStem(cn, 'request');
  const keyPath = key && key.file !== 'generated' && /\.(key|pem)$/i.test(key.file) ? key.file.split(/[\\/]/).pop() ?? `${stem}.key` : `${stem}.key`;
  const fingerprint = JSON.stringify({ keyId: key?.id, attrs, sans, usage });

  const [formConfig, setFormConfig] = useState<string | undefined>();
  const [built, setBuilt] = useState<(Built & { for: string }) | undefined>();
  const [building, setBuilding] = useState(false);
  const [error, setError] = useState<IpcError | undefined>();
  const [saveStatus, setSaveStatus] = useState('');
  const [saveError, setSaveError] = useState<IpcError | undefined>();

  const build = async (): Promise<void> => {
    if (!key) return;
    setError(undefined);
    setSaveStatus('');
    setSaveError(undefined);
    setBuilding(true);
    const r = await call('csr:build', { keyId: key.id, subject: attrs, sans, ...usage });
    setBuilding(false);
    if (!r.ok) return setError(r.error);
    // One built CSR per form in the session: the previous one is replaced, not piled up.
    if (built && built.item.id !== r.value.item.id) await forget([built.item.id]);
    add([r.value.item]);
    setBuilt({ ...r.value, for: fingerprint });
  };

  const saveCsr = async (): Promise<void> => {
    if (!built) return;
    setSaveError(undefined);
    const r = await call('text:save', { suggestedName: `${fileStem(cn, 'request')}.csr`, content: built.pem });
    if (!r.ok) return setSaveError(r.error);
    setSaveStatus(r.value.canceled ? 'Save canceled.' : `Saved the CSR to ${r.value.path ?? 'the chosen file'}.`);
  };

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="lg">
          <Card withBorder padding="lg" radius="md">
            <Stack gap="sm">
              <Title order={3}>Key</Title>
              {keys.length === 0 ? (
                <Text size="sm" c="dimmed">No key yet: generate or open one on the Keys tab. You can fill the form now; the OpenSSL config works without a key.</Text>
              ) : (
                <Select
                  label="Key"
                  data={keys.map((k) => ({ value: k.id, label: itemLabel(k) }))}
                  value={key?.id ?? null}
                  onChange={setKeyId}
                  allowDeselect={false}
                />
              )}
            </Stack>
          </Card>

          <Card withBorder padding="lg" radius="md">
            <Stack gap="sm">
              <Title order={3}>SAN template</Title>
              <Text size="sm" c="dimmed">Load a KB37299-style OpenSSL config; filling its placeholders fills the form below.</Text>
              <TemplatePanel onApply={applyTemplate} fallbackText={formConfig} />
              {templateNote && <Text size="sm" c="orange">{templateNote}</Text>}
            </Stack>
          </Card>

          <Card withBorder padding="lg" radius="md">
            <Stack gap="sm">
              <Title order={3}>Subject</Title>
              <SubjectFields value={subject} onChange={setSubject} />
            </Stack>
          </Card>

          <Card withBorder padding="lg" radius="md">
            <Stack gap="sm">
              <Title order={3}>Subject alternative names</Title>
              <SanEditor rows={sanRows} onChange={setSanRows} />
            </Stack>
          </Card>

          <Card withBorder padding="lg" radius="md">
            <Stack gap="sm">
              <Title order={3}>Key usage</Title>
              <Group grow align="flex-start">
                <MultiSelect
                  label="Key usage"
                  description="Empty: digitalSignature, keyEncipherment for RSA; digitalSignature otherwise"
                  data={KEY_USAGES}
                  value={keyUsage}
                  onChange={setKeyUsage}
                  clearable
                />
                <TagsInput
                  label="Extended key usage"
                  description="Empty: serverAuth. Names or dotted OIDs"
                  data={EXTENDED_KEY_USAGES}
                  value={eku}
                  onChange={setEku}
                  clearable
                />
              </Group>
            </Stack>
          </Card>

          <Card withBorder padding="lg" radius="md">
            <Stack gap="md">
              <Group>
                <BusyButton onClick={() => void build()} busy={building} disabled={!key || attrs.length === 0}>Build CSR</BusyButton>
                {!key && <Text size="sm" c="dimmed">Choose a key to build the CSR.</Text>}
                {key && attrs.length === 0 && <Text size="sm" c="dimmed">Fill at least one subject field.</Text>}
              </Group>
              {error && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
              {built && (
                <Stack gap="sm">
                  <Title order={4}>Preview of the CSR</Title>
                  {built.for !== fingerprint && (
                    <Alert color="yellow" variant="light" role="status" title="The form changed">
                      This preview shows the CSR as built before your last changes; build it again to include them.
                    </Alert>
                  )}
                  <ItemCard item={built.item} />
                  <Group>
                    <Button onClick={() => void saveCsr()}>Save CSR…</Button>
                  </Group>
                  {saveStatus && <Text size="sm" role="status">{saveStatus}</Text>}
                  {saveError && <ErrorAlert error={saveError} onClose={() => setSaveError(undefined)} />}
                </Stack>
              )}
            </Stack>
          </Card>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <Card withBorder padding="lg" radius="md" pos="sticky" top={72}>
          <Stack gap="sm">
            <Title order={3}>OpenSSL equivalent</Title>
            <OpensslPreview
              request={{ subject: attrs, sans, ...usage, keyPath, csrPath: `${stem}.csr` }}
              stem={stem}
              onConfig={setFormConfig}
            />
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
