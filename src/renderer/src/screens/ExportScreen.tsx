import { Alert, Button, Card, Group, List, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { IpcError, RequestOf, ResponseOf, Target } from '../../../shared/contract.js';
import { call } from '../api.js';
import { itemOptions, useBundlePick } from '../bundle-pick.js';
import { BundlePicker } from '../components/BundlePicker.js';
import { BusyButton } from '../components/BusyButton.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Findings } from '../components/Findings.js';
import { TargetFileCard } from '../components/TargetFileCard.js';
import { certIdOk, derivedCertId } from '../export-defaults.js';
import { useSession } from '../SessionProvider.js';

const TARGETS: { value: Target; label: string; about: string }[] = [
  { value: 'junos', label: 'Junos', about: 'Junos REST API and J-Web HTTPS: the certificate, its key as PKCS#1 (RSA) or SEC1 (ECDSA), the CA chain and the commands to load and bind it. Takes RSA or ECDSA keys.' },
  { value: 'apstra', label: 'Apstra', about: 'Apstra server nginx: nginx.crt with its chain, nginx.key, and the steps to install them in /etc/aos/nginx.conf.d. Takes RSA or ECDSA keys.' },
  { value: 'sps', label: 'SPS', about: 'One Identity SPS web certificate: the x509 REST body (certificate, PKCS#1 key, issuer chain) and the curl sequence that uploads it in a transaction. Takes RSA keys only.' },
  { value: 'sdcloud', label: 'SD Cloud', about: 'Security Director Cloud OAuth settings: the public key as PEM, a JWK Set for the jwks_uri, and where each goes. Nothing secret. Takes any key type.' },
];

type Built = ResponseOf<'format:build'> & { for: string };

/** Export for a target: choose key, certificate, chain and CSR; build the files; copy, save one, or save all. */
export function ExportScreen(): React.JSX.Element {
  const { items } = useSession();
  const csrs = items.filter((i) => i.kind === 'csr');

  const [target, setTarget] = useState<Target>('junos');
  const pick = useBundlePick(items);
  const { key, cert, chainIds } = pick;
  const [csrPick, setCsrPick] = useState<string | null>(null);
  const [junosId, setJunosId] = useState('');

  const csr = csrs.find((c) => c.id === csrPick);
  const idTyped = junosId.trim();

  const request: RequestOf<'format:build'> | undefined = key && cert ? {
    target,
    keyId: key.id,
    certId: cert.id,
    chainIds,
    ...(csr ? { csrId: csr.id } : {}),
    ...(target === 'junos' && idTyped !== '' ? { junosCertId: idTyped } : {}),
  } : undefined;
  const requestKey = JSON.stringify(request ?? null);

  const [built, setBuilt] = useState<Built | undefined>();
  const [error, setError] = useState<IpcError | undefined>();
  const [building, setBuilding] = useState(false);
  const [saveError, setSaveError] = useState<IpcError | undefined>();
  const [saved, setSaved] = useState<{ dir?: string; written: string[] } | undefined>();
  const [saving, setSaving] = useState(false);
  const current = built?.for === requestKey ? built : undefined;

  const build = async (): Promise<void> => {
    if (!request) return;
    setError(undefined);
    setSaveError(undefined);
    setSaved(undefined);
    setBuilding(true);
    const r = await call('format:build', request);
    setBuilding(false);
    if (!r.ok) {
      setBuilt(undefined);
      return setError(r.error);
    }
    setBuilt({ ...r.value, for: requestKey });
  };

  const saveAll = async (force: boolean): Promise<void> => {
    if (!request) return;
    setSaveError(undefined);
    setSaved(undefined);
    setSaving(true);
    const r = await call('format:save', { ...request, ...(force ? { force } : {}) });
    setSaving(false);
    if (!r.ok) return setSaveError(r.error);
    if (r.value.canceled) return;
    setSaved({ ...(r.value.dir ? { dir: r.value.dir } : {}), written: r.value.written });
  };

  const about = TARGETS.find((t) => t.value === target)?.about ?? '';
  const exists = saveError?.code === 'exists';

  return (
    <Stack gap="lg">
      <Card withBorder padding="lg" radius="md">
        <Stack gap="md">
          <Title order={3}>Target</Title>
          <SegmentedControl
            aria-label="Target"
            data={TARGETS.map((t) => ({ value: t.value, label: t.label }))}
            value={target}
            onChange={(v) => setTarget(v as Target)}
            w="fit-content"
          />
          <Text size="sm">{about}</Text>
        </Stack>
      </Card>

      <BundlePicker
        pick={pick}
        cols={2}
        chainDescription="Intermediates first, then the root; in the order picked"
        fields={(
          <>
            <Select label="CSR (optional)" data={itemOptions(csrs)} value={csr?.id ?? null} onChange={setCsrPick} clearable placeholder="None" />
            {target === 'junos' && (
              <TextInput
                label="certificate-id"
                description="The Junos local-certificate name; empty uses the one shown"
                placeholder={derivedCertId(cert)}
                value={junosId}
                onChange={(e) => setJunosId(e.currentTarget.value)}
                error={idTyped !== '' && !certIdOk(idTyped) ? "1-63 letters, digits, '.', '_' or '-', starting with a letter or digit" : undefined}
                maxLength={63}
                autoComplete="off"
                spellCheck={false}
              />
            )}
          </>
        )}
      >
        <Group>
          <BusyButton onClick={() => void build()} busy={building} disabled={!request || (target === 'junos' && idTyped !== '' && !certIdOk(idTyped))}>Build files</BusyButton>
        </Group>
        {error && <ErrorAlert error={error} title={error.code === 'refused' ? `Refused for ${TARGETS.find((t) => t.value === target)?.label ?? target}` : undefined} />}
      </BundlePicker>

      {current && (
        <Card withBorder padding="lg" radius="md">
          <Stack gap="md">
            <Group justify="space-between">
              <Title order={3}>Files for {TARGETS.find((t) => t.value === current.target)?.label}</Title>
              <BusyButton onClick={() => void saveAll(false)} busy={saving}>Save all…</BusyButton>
            </Group>
            {current.warnings.length > 0 && (
              <Alert color="yellow" variant="light" role="status" title={`${current.warnings.length} warning${current.warnings.length === 1 ? '' : 's'}`}>
                <Findings findings={current.warnings} />
              </Alert>
            )}
            {saved && (
              <Alert color="green" variant="light" role="status" title={`Wrote ${saved.written.length} file${saved.written.length === 1 ? '' : 's'}${saved.dir ? ` to ${saved.dir}` : ''}`}>
                <List size="sm">{saved.written.map((w) => <List.Item key={w}>{w}</List.Item>)}</List>
              </Alert>
            )}
            {saveError && (
              <Stack gap="xs">
                <ErrorAlert error={saveError} title="Nothing was written" />
                {exists && <Group><Button color="red" variant="light" onClick={() => void saveAll(true)}>Replace the existing files…</Button></Group>}
              </Stack>
            )}
            {current.files.map((f) => <TargetFileCard key={f.name} file={f} />)}
          </Stack>
        </Card>
      )}
      {built && !current && <Text size="sm" c="dimmed">The choices changed since the last build; press Build files again.</Text>}
    </Stack>
  );
}
