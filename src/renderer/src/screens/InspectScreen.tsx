import { Box, Button, Card, Checkbox, Group, LoadingOverlay, PasswordInput, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { Dropzone, type FileWithPath } from '@mantine/dropzone';
import { useRef, useState } from 'react';
import type { DecodeResult, IpcError, ItemView } from '../../../shared/contract.js';
import { call } from '../api.js';
import { MAX_FILE_BYTES, textToBase64, toBase64 } from '../bytes.js';
import { BusyButton } from '../components/BusyButton.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { FileErrors, type FileError } from '../components/FileErrors.js';
import { ItemCard } from '../components/ItemCard.js';
import { MatchPanel } from '../components/MatchPanel.js';
import { RemoveButton } from '../components/RemoveButton.js';
import { useSession } from '../SessionProvider.js';

const MATCHABLE: ItemView['kind'][] = ['private-key', 'certificate', 'csr'];
const BATCH = 64; // the contract's limit of files per items:decode call

/**
 * Whether an item takes part in the match unless the user says otherwise: keys, certificates and
 * CSRs do, except CA certificates when a leaf is present (they are the chain, not the pair).
 */
function matchByDefault(item: ItemView, all: ItemView[]): boolean {
  if (!MATCHABLE.includes(item.kind)) return false;
  if (item.kind === 'certificate' && item.isCa) return !all.some((i) => i.kind === 'certificate' && !i.isCa);
  return true;
}

/** Drop or paste any mix of files; each item decoded with its findings; the match verdict over them. */
export function InspectScreen(): React.JSX.Element {
  const { items, add, forget } = useSession();
  const passRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  // Set at once, before React re-renders: a second drop or Enter in the same tick is ignored too.
  const busyRef = useRef(false);
  const working = (on: boolean): void => {
    busyRef.current = on;
    setBusy(on);
  };
  const [fileErrors, setFileErrors] = useState<FileError[]>([]);
  const [error, setError] = useState<IpcError | undefined>();
  const [notice, setNotice] = useState('');
  const [pasted, setPasted] = useState('');
  const [include, setInclude] = useState<Record<string, boolean>>({});

  const took = (results: DecodeResult[], extraErrors: FileError[]): number => {
    const all = results.flatMap((r) => r.items);
    const fresh = add(all);
    const errors = [...extraErrors, ...results.flatMap((r) => r.errors)];
    setFileErrors((old) => [...errors, ...old]);
    const dupes = all.length - fresh.length;
    setNotice(`${fresh.length} item${fresh.length === 1 ? '' : 's'} added${dupes > 0 ? `, ${dupes} already here` : ''}${errors.length > 0 ? `, ${errors.length} file${errors.length === 1 ? '' : 's'} could not be read` : ''}.`);
    return errors.length;
  };

  const decodeFiles = async (files: FileWithPath[]): Promise<void> => {
    if (files.length === 0 || busyRef.current) return;
    working(true);
    try {
      setError(undefined);
      const tooBig: FileError[] = [];
      const inputs: { name: string; dataBase64: string }[] = [];
      for (const f of files) {
        if (f.size > MAX_FILE_BYTES) {
          tooBig.push({ file: f.name, code: 'too-large', message: `${f.name}: ${f.size} bytes is more than the 1 MiB a key, certificate or CSR file can be; is it the right file?` });
          continue;
        }
        if (f.size === 0) {
          tooBig.push({ file: f.name, code: 'empty', message: `${f.name}: the file is empty` });
          continue;
        }
        inputs.push({ name: f.name, dataBase64: toBase64(new Uint8Array(await f.arrayBuffer())) });
      }
      const passphrase = passRef.current?.value ?? '';
      const results: DecodeResult[] = [];
      for (let i = 0; i < inputs.length; i += BATCH) {
        const r = await call('items:decode', { files: inputs.slice(i, i + BATCH), ...(passphrase ? { passphrase } : {}) });
        if (!r.ok) {
          setError(r.error);
          break;
        }
        results.push(r.value);
      }
      took(results, tooBig);
    } finally {
      working(false);
    }
  };

  const addPasted = async (): Promise<void> => {
    if (pasted.trim() === '') return;
    setError(undefined);
    const passphrase = passRef.current?.value ?? '';
    const r = await call('items:decode', { files: [{ name: 'pasted text', dataBase64: textToBase64(pasted) }], ...(passphrase ? { passphrase } : {}) });
    if (!r.ok) return setError(r.error);
    if (took([r.value], []) === 0) setPasted('');
  };

  const openFiles = async (): Promise<void> => {
    if (busyRef.current) return;
    working(true);
    setError(undefined);
    const passphrase = passRef.current?.value ?? '';
    const r = await call('items:open', passphrase ? { passphrase } : {});
    working(false);
    if (!r.ok) return setError(r.error);
    if (!r.value.canceled) took([r.value], []);
  };

  const remove = async (item: ItemView): Promise<void> => {
    const e = await forget([item.id]);
    if (e) setError(e);
  };
  const saveItem = async (item: ItemView): Promise<void> => {
    setError(undefined);
    const r = await call('items:save', { id: item.id });
    if (!r.ok) return setError(r.error);
    if (!r.value.canceled) setNotice(`Saved ${item.file} to ${r.value.path ?? 'the chosen file'}.`);
  };

  const included = (item: ItemView): boolean => include[item.id] ?? matchByDefault(item, items);
  const matchIds = items.filter((i) => MATCHABLE.includes(i.kind) && included(i)).map((i) => i.id);

  return (
    <Stack gap="lg">
      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          {/*
            * Not Dropzone's `loading`: it disables the zone, and Chromium drops keyboard focus to <body>.
            * The overlay sits over the zone instead, and drops, clicks and keys are ignored while busy.
            * Click and Enter/Space open the app's dialog (items:open), not Chromium's file input, so
            * they read files as "Open files…" does (PKCS#12 passphrase, size limits, one decode path).
            */}
          <Box pos="relative">
            <LoadingOverlay visible={busy} overlayProps={{ radius: 'sm' }} />
            <Dropzone
              onDrop={(files) => void decodeFiles(files)}
              multiple
              activateOnClick={false}
              activateOnKeyboard={false}
              // Dropzone marks itself pointer-clickable only with activateOnClick; the click is ours.
              mod={{ 'activate-on-click': true }}
              // react-dropzone gives the zone a tab stop only when it handles the keyboard itself.
              tabIndex={0}
              onClick={() => void openFiles()}
              onKeyDown={(e) => {
                if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
                e.preventDefault();
                void openFiles();
              }}
              role="button"
              aria-label="Drop files here"
              aria-describedby="dropzone-hint"
              aria-busy={busy || undefined}
              aria-disabled={busy || undefined}
            >
              <Stack gap={4} align="center" py="lg" style={{ pointerEvents: 'none' }}>
                <Text size="lg" fw={600}>Drop files here</Text>
                <Text size="sm" c="dimmed" id="dropzone-hint" ta="center">
                  Keys, certificates, CSRs, chains and PKCS#12 files, PEM or DER, any mix. Click or press Enter to choose files.
                </Text>
              </Stack>
            </Dropzone>
          </Box>
          <Group align="flex-end" gap="md">
            <PasswordInput
              label="Passphrase for encrypted files (optional)"
              description="Used for encrypted keys and PKCS#12 files you add next"
              ref={passRef}
              autoComplete="off"
              w={340}
            />
            <BusyButton variant="default" busy={busy} onClick={() => void openFiles()}>Open files…</BusyButton>
          </Group>
          <Textarea
            label="Paste PEM"
            description="One or more PEM blocks: certificates, CSRs, keys"
            placeholder="-----BEGIN CERTIFICATE-----"
            value={pasted}
            onChange={(e) => setPasted(e.currentTarget.value)}
            autosize
            minRows={3}
            maxRows={10}
            spellCheck={false}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
          />
          <Group>
            <Button variant="default" onClick={() => void addPasted()} disabled={pasted.trim() === ''}>Add pasted text</Button>
          </Group>
          {notice && <Text size="sm" role="status">{notice}</Text>}
          {error && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
          <FileErrors errors={fileErrors} onDismiss={(i) => setFileErrors(fileErrors.filter((_, j) => j !== i))} />
        </Stack>
      </Card>

      <Card withBorder padding="lg" radius="md">
        <Stack gap="sm">
          <Title order={3}>Do they belong together?</Title>
          <MatchPanel ids={matchIds} />
        </Stack>
      </Card>

      {items.length === 0 ? (
        <Text c="dimmed" size="sm">Nothing here yet.</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="lg">
          {items.map((item) => (
            <ItemCard
              key={item.id}
              item={item}
              actions={(
                <>
                  {item.pem && <Button size="xs" variant="default" onClick={() => void saveItem(item)}>Save PEM…</Button>}
                  <RemoveButton item={item} onRemove={() => void remove(item)} />
                </>
              )}
            >
              {MATCHABLE.includes(item.kind) && (
                <Checkbox
                  label="Include in match"
                  checked={included(item)}
                  onChange={(e) => { const on = e.currentTarget.checked; setInclude((old) => ({ ...old, [item.id]: on })); }}
                />
              )}
            </ItemCard>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
