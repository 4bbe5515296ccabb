import { Button, Card, Group, NativeSelect, PasswordInput, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useRef, useState } from 'react';
import type { IpcError, ItemView, RequestOf } from '../../../shared/contract.js';
import { call } from '../api.js';
import { BusyButton } from '../components/BusyButton.js';
import { ElapsedLoader } from '../components/ElapsedLoader.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { FileErrors, type FileError } from '../components/FileErrors.js';
import { RemoveButton } from '../components/RemoveButton.js';
import { fileText, itemLabel, keyText } from '../item-format.js';
import { useSession } from '../SessionProvider.js';

type Alg = 'rsa' | 'ecdsa' | 'ed25519';
type SaveFormat = 'pkcs8' | 'pkcs1' | 'sec1';

const ALGORITHMS = [
  { value: 'rsa', label: 'RSA' },
  { value: 'ecdsa', label: 'ECDSA' },
  { value: 'ed25519', label: 'Ed25519' },
];

function formatsFor(key: ItemView | undefined): { value: SaveFormat; label: string }[] {
  const out: { value: SaveFormat; label: string }[] = [{ value: 'pkcs8', label: 'PKCS#8 (BEGIN PRIVATE KEY)' }];
  if (key?.key.algorithm === 'rsa') out.push({ value: 'pkcs1', label: 'PKCS#1 (BEGIN RSA PRIVATE KEY)' });
  if (key?.key.algorithm === 'ecdsa') out.push({ value: 'sec1', label: 'SEC1 (BEGIN EC PRIVATE KEY)' });
  return out;
}

/** Generate keys, open key files, list the session's keys and save one with an optional passphrase. */
export function KeysScreen(): React.JSX.Element {
  const { items, add, forget } = useSession();
  const keys = items.filter((i) => i.kind === 'private-key');

  const [alg, setAlg] = useState<Alg>('rsa');
  const [bits, setBits] = useState('2048');
  const [curve, setCurve] = useState('P-256');
  const [generating, setGenerating] = useState<string | undefined>();
  const [error, setError] = useState<IpcError | undefined>();
  const [fileErrors, setFileErrors] = useState<FileError[]>([]);
  const [notice, setNotice] = useState('');
  const [saveId, setSaveId] = useState<string | null>(null);

  const generate = async (): Promise<void> => {
    const request: RequestOf<'keys:generate'> = alg === 'rsa'
      ? { alg, bits: Number(bits) as 2048 | 3072 | 4096 }
      : alg === 'ecdsa' ? { alg, curve: curve as 'P-256' | 'P-384' } : { alg };
    setError(undefined);
    setNotice('');
    setGenerating(alg === 'rsa' ? `RSA-${bits}` : alg === 'ecdsa' ? `ECDSA ${curve}` : 'Ed25519');
    const r = await call('keys:generate', request);
    setGenerating(undefined);
    if (!r.ok) return setError(r.error);
    add([r.value]);
    setSaveId(r.value.id);
    setNotice(`Generated ${keyText(r.value.key)} key; it stays in memory until you save it.`);
  };

  // Passphrase for encrypted key files being opened; read from the field, never kept in state.
  const openPassRef = useRef<HTMLInputElement>(null);
  const openFiles = async (): Promise<void> => {
    setError(undefined);
    setNotice('');
    const passphrase = openPassRef.current?.value ?? '';
    const r = await call('items:open', passphrase ? { passphrase } : {});
    if (!r.ok) return setError(r.error);
    if (r.value.canceled) return;
    setFileErrors(r.value.errors);
    const fresh = add(r.value.items);
    const keysIn = fresh.filter((i) => i.kind === 'private-key');
    const others = fresh.length - keysIn.length;
    if (keysIn[0]) setSaveId(keysIn[0].id);
    const parts = [`${keysIn.length} key${keysIn.length === 1 ? '' : 's'} added`];
    if (others > 0) parts.push(`${others} other item${others === 1 ? '' : 's'} (certificates, CSRs) added to Inspect & Match`);
    if (r.value.items.length > fresh.length) parts.push(`${r.value.items.length - fresh.length} already open`);
    setNotice(`${parts.join('; ')}.`);
  };

  const saveKey = keys.find((k) => k.id === saveId) ?? keys[keys.length - 1];
  const formats = formatsFor(saveKey);
  const [format, setFormat] = useState<SaveFormat>('pkcs8');
  const effectiveFormat = formats.some((f) => f.value === format) ? format : 'pkcs8';
  const passRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  // Only whether the two fields agree is kept, never their text.
  const [passState, setPassState] = useState({ filled: false, confirmed: false, same: true });
  const [saveStatus, setSaveStatus] = useState('');
  const [saveError, setSaveError] = useState<IpcError | undefined>();
  const [saving, setSaving] = useState(false);

  const checkPass = (): void => {
    const a = passRef.current?.value ?? '';
    const b = confirmRef.current?.value ?? '';
    setPassState({ filled: a.length > 0, confirmed: b.length > 0, same: a === b });
  };
  const clearPass = (): void => {
    if (passRef.current) passRef.current.value = '';
    if (confirmRef.current) confirmRef.current.value = '';
    setPassState({ filled: false, confirmed: false, same: true });
  };
  const encryptable = effectiveFormat === 'pkcs8';

  const save = async (): Promise<void> => {
    if (!saveKey) return;
    const passphrase = encryptable ? passRef.current?.value ?? '' : '';
    if (passphrase !== (confirmRef.current?.value ?? '') && encryptable) {
      setSaveError({ code: 'invalid-value', message: 'the passphrase and its confirmation differ; type them again' });
      return;
    }
    setSaveError(undefined);
    setSaveStatus('');
    setSaving(true);
    const r = await call('keys:save', { keyId: saveKey.id, format: effectiveFormat, ...(passphrase ? { passphrase } : {}) });
    setSaving(false);
    clearPass();
    if (!r.ok) return setSaveError(r.error);
    if (r.value.canceled) setSaveStatus('Save canceled.');
    else setSaveStatus(`Saved ${fileText(saveKey)} to ${r.value.path ?? 'the chosen file'} (mode 0600${passphrase ? ', encrypted' : ', not encrypted'}).`);
  };

  const removeKey = async (key: ItemView): Promise<void> => {
    const e = await forget([key.id]);
    if (e) setError(e);
  };

  return (
    <Stack gap="lg">
      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          <Title order={3}>Generate a key</Title>
          <Group align="flex-end" gap="md">
            <NativeSelect label="Algorithm" data={ALGORITHMS} value={alg} onChange={(e) => setAlg(e.currentTarget.value as Alg)} w={160} />
            {alg === 'rsa' && (
              <NativeSelect label="RSA size" data={['2048', '3072', '4096']} value={bits} onChange={(e) => setBits(e.currentTarget.value)} w={120} />
            )}
            {alg === 'ecdsa' && (
              <NativeSelect label="Curve" data={['P-256', 'P-384']} value={curve} onChange={(e) => setCurve(e.currentTarget.value)} w={120} />
            )}
            <BusyButton onClick={() => void generate()} busy={generating !== undefined}>Generate key</BusyButton>
          </Group>
          {generating && (
            <ElapsedLoader
              label={`Generating ${generating} key…`}
              note={generating === 'RSA-4096' ? 'RSA-4096 can take several seconds. The work runs outside this window, so you can keep using it.' : undefined}
            />
          )}
          <Title order={3}>Or open key files</Title>
          <Group align="flex-end" gap="md">
            <PasswordInput
              label="Passphrase to open (optional)"
              description="For encrypted keys and PKCS#12 files"
              ref={openPassRef}
              w={280}
              autoComplete="off"
            />
            <Button variant="default" onClick={() => void openFiles()}>Open files…</Button>
          </Group>
          {notice && <Text size="sm" role="status">{notice}</Text>}
          {error && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
          <FileErrors errors={fileErrors} onDismiss={(i) => setFileErrors(fileErrors.filter((_, j) => j !== i))} />
        </Stack>
      </Card>

      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          <Title order={3}>Keys in this session</Title>
          {keys.length === 0 ? (
            <Text c="dimmed" size="sm">No keys yet. Generate one above, open a key file, or drop one on Inspect &amp; Match.</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped highlightOnHover aria-label="Keys in this session">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Source</Table.Th>
                    <Table.Th>Algorithm</Table.Th>
                    <Table.Th>Size</Table.Th>
                    <Table.Th>Public-key SHA-256</Table.Th>
                    <Table.Th><Text span size="sm" fw={700}>Actions</Text></Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {keys.map((k) => (
                    <Table.Tr key={k.id}>
                      <Table.Td>{fileText(k)}</Table.Td>
                      <Table.Td>{k.key.algorithm === 'rsa' ? 'RSA' : k.key.algorithm === 'ecdsa' ? 'ECDSA' : 'Ed25519'}</Table.Td>
                      <Table.Td>{k.key.algorithm === 'ecdsa' ? k.key.curve ?? `${k.key.bits} bits` : `${k.key.bits} bits`}</Table.Td>
                      <Table.Td style={{ fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-all' }}>{k.spkiSha256}</Table.Td>
                      <Table.Td><RemoveButton item={k} onRemove={() => void removeKey(k)} /></Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Card>

      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          <Title order={3}>Save a key</Title>
          {!saveKey ? (
            <Text c="dimmed" size="sm">Generate or open a key first.</Text>
          ) : (
            <>
              <Group align="flex-start" gap="md">
                <Select
                  label="Key to save"
                  data={keys.map((k) => ({ value: k.id, label: itemLabel(k) }))}
                  value={saveKey.id}
                  onChange={(v) => setSaveId(v)}
                  allowDeselect={false}
                  w={420}
                />
                <NativeSelect
                  label="Save format"
                  data={formats}
                  value={effectiveFormat}
                  onChange={(e) => setFormat(e.currentTarget.value as SaveFormat)}
                  w={280}
                />
              </Group>
              <Group align="flex-start" gap="md">
                <PasswordInput
                  label="Passphrase (optional)"
                  description={encryptable ? 'Leave empty to save the key unencrypted' : 'Only PKCS#8 keys can be encrypted; choose PKCS#8 to set a passphrase'}
                  ref={passRef}
                  onChange={checkPass}
                  disabled={!encryptable}
                  autoComplete="new-password"
                  w={280}
                />
                <PasswordInput
                  label="Confirm passphrase"
                  description="Type it again"
                  ref={confirmRef}
                  onChange={checkPass}
                  disabled={!encryptable}
                  error={passState.confirmed && !passState.same ? 'The passphrases differ' : undefined}
                  autoComplete="new-password"
                  w={280}
                />
              </Group>
              <Group>
                <BusyButton onClick={() => void save()} busy={saving} disabled={encryptable && !passState.same}>Save key…</BusyButton>
              </Group>
              <Text size="xs" c="dimmed">
                Keys are written with mode 0600. {encryptable && passState.filled ? 'Encrypted PKCS#8 (AES-256).' : 'Without a passphrase the key is stored in clear text.'}
              </Text>
              {saveStatus && <Text size="sm" role="status">{saveStatus}</Text>}
              {saveError && <ErrorAlert error={saveError} onClose={() => setSaveError(undefined)} />}
            </>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
