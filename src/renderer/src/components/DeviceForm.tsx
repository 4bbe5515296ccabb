import { Button, Card, Checkbox, Group, PasswordInput, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { DeviceTarget, DeviceView, IpcError, JunosBindingView, RequestOf, SpsRoleView, SshAuthMethod } from '../../../shared/contract.js';
import { call } from '../api.js';
import { DEFAULT_PORT, JUNOS_DEFAULTS } from '../device-request.js';
import { BusyButton } from './BusyButton.js';
import { ErrorAlert } from './ErrorAlert.js';

const AUTH: { value: SshAuthMethod; label: string }[] = [
  { value: 'password', label: 'Password' },
  { value: 'key-file', label: 'Key file' },
  { value: 'agent', label: 'SSH agent' },
];

const TARGETS: { value: DeviceTarget; label: string }[] = [
  { value: 'apstra', label: 'Apstra' },
  { value: 'junos', label: 'Junos' },
  { value: 'sps', label: 'SPS' },
];
const ROLES: { value: SpsRoleView; label: string }[] = [
  { value: 'server', label: 'Server' },
  { value: 'ca', label: 'CA' },
  { value: 'tsa', label: 'TSA' },
];
const ROLE_TEXT: Record<SpsRoleView, string> = {
  server: 'the certificate of the web interface and REST API (checked by its fingerprint after the commit)',
  ca: 'the internal CA certificate SPS signs with',
  tsa: 'the timestamping (TSA) certificate',
};
const INTRO: Record<DeviceTarget, string> = {
  apstra: 'An Apstra server reached over SSH.',
  junos: 'A Junos device reached over NETCONF (SSH): the certificate is loaded into its PKI store and bound with commit confirmed.',
  sps: 'One Identity SPS reached over its HTTPS REST API, with a user holding the REST server privilege.',
};
// Junos object names, as main checks them (certificate-id, ca-profile).
const JUNOS_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

// Empty is not flagged here: a required field keeps Save disabled instead.
function junosIdError(v: string): string | undefined {
  const t = v.trim();
  if (t === '') return undefined;
  return JUNOS_ID_RE.test(t) ? undefined : '1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

function minutesError(v: string): string | undefined {
  const t = v.trim();
  const n = Number(t);
  return /^\d{1,5}$/.test(t) && n >= 1 && n <= 65535 ? undefined : 'A whole number of minutes from 1 to 65535';
}

// Same rules as main checks, so a typo shows at once; main still has the last word.
const HOST_RE = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IP_RE = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

function hostError(v: string): string | undefined {
  const t = v.trim();
  if (t === '' || HOST_RE.test(t) || IP_RE.test(t)) return undefined;
  return 'A host name or an IP address: letters, digits, dots and hyphens only';
}

function portError(v: string, optional: boolean): string | undefined {
  const t = v.trim();
  if (t === '' && optional) return undefined;
  const n = Number(t);
  return /^\d{1,5}$/.test(t) && n >= 1 && n <= 65535 ? undefined : 'A port number from 1 to 65535';
}

/**
 * Adds a device or changes one: its type (Apstra, Junos, SPS) decides which fields show. Passwords and
 * passphrases go to main once, on save, and are never shown again: an empty field keeps what is saved.
 */
export function DeviceForm({ device, onSaved, onClose }: { device?: DeviceView; onSaved: (d: DeviceView) => void; onClose: () => void }): React.JSX.Element {
  const [target, setTarget] = useState<DeviceTarget>(device?.target ?? 'apstra');
  const [name, setName] = useState(device?.name ?? '');
  const [host, setHost] = useState(device?.host ?? '');
  const [port, setPort] = useState(String(device?.port ?? DEFAULT_PORT[target]));
  const [user, setUser] = useState(device?.user ?? '');
  const [auth, setAuth] = useState<SshAuthMethod>(device?.auth ?? 'password');
  const [password, setPassword] = useState('');
  const [identityFile, setIdentityFile] = useState(device?.identityFile ?? '');
  const [passphrase, setPassphrase] = useState('');
  const [forgetPassphrase, setForgetPassphrase] = useState(false);
  const [serverName, setServerName] = useState(device?.serverName ?? '');
  const [nginxDir, setNginxDir] = useState(device?.nginxDir ?? '');
  const [restartCmd, setRestartCmd] = useState(device?.restartCmd ?? '');
  const [httpsPort, setHttpsPort] = useState(device?.httpsPort !== undefined ? String(device.httpsPort) : '');
  const [sudo, setSudo] = useState(device?.sudo === true);
  const [certId, setCertId] = useState(device?.certId ?? '');
  const [caProfile, setCaProfile] = useState(device?.caProfile ?? '');
  const [bind, setBind] = useState<JunosBindingView[]>(device?.bind ?? ['rest', 'web']);
  const [confirmMinutes, setConfirmMinutes] = useState(String(device?.confirmMinutes ?? JUNOS_DEFAULTS.confirmMinutes));
  const [verifyPort, setVerifyPort] = useState(String(device?.verifyPort ?? JUNOS_DEFAULTS.verifyPort));
  const [webPort, setWebPort] = useState(String(device?.webPort ?? JUNOS_DEFAULTS.webPort));
  const [role, setRole] = useState<SpsRoleView>(device?.role ?? 'server');
  const [error, setError] = useState<IpcError | undefined>();
  const [saving, setSaving] = useState(false);

  const isSps = target === 'sps';
  const isJunos = target === 'junos';
  // SPS's REST API takes a password only.
  const effectiveAuth: SshAuthMethod = isSps ? 'password' : auth;

  const chooseTarget = (t: DeviceTarget): void => {
    // A port still at the old type's default follows the new type's.
    if (port.trim() === '' || port.trim() === String(DEFAULT_PORT[target])) setPort(String(DEFAULT_PORT[t]));
    setTarget(t);
  };

  const hostErr = hostError(host);
  const serverErr = isSps ? undefined : hostError(serverName);
  const portErr = portError(port, false);
  const httpsErr = target === 'apstra' ? portError(httpsPort, true) : undefined;
  const certIdErr = isJunos ? junosIdError(certId) : undefined;
  const caProfileErr = isJunos ? junosIdError(caProfile) : undefined;
  const minutesErr = isJunos ? minutesError(confirmMinutes) : undefined;
  const verifyErr = isJunos ? portError(verifyPort, false) : undefined;
  const webErr = isJunos ? portError(webPort, false) : undefined;
  const bindErr = isJunos && bind.length === 0 ? 'Choose REST API, J-Web or both' : undefined;
  const keepsPassword = device?.auth === 'password' && device.hasPassword;
  const ready = name.trim() !== '' && host.trim() !== '' && user.trim() !== '' && !hostErr && !serverErr && !portErr && !httpsErr &&
    !certIdErr && !caProfileErr && !minutesErr && !verifyErr && !webErr && !bindErr && (!isJunos || certId.trim() !== '') &&
    (effectiveAuth !== 'password' || password !== '' || keepsPassword) && (effectiveAuth !== 'key-file' || identityFile.trim() !== '');

  const chooseKey = async (): Promise<void> => {
    setError(undefined);
    const r = await call('devices:choose-key-file', {});
    if (!r.ok) return setError(r.error);
    if (!r.value.canceled && r.value.path) setIdentityFile(r.value.path);
  };

  // Only the chosen type's fields go to main; it drops any other anyway.
  const targetFields = (): Partial<RequestOf<'devices:save'>> => {
    switch (target) {
      case 'apstra':
        return {
          ...(serverName.trim() ? { serverName: serverName.trim() } : {}),
          ...(nginxDir.trim() ? { nginxDir: nginxDir.trim() } : {}),
          ...(restartCmd.trim() ? { restartCmd: restartCmd.trim() } : {}),
          ...(httpsPort.trim() ? { httpsPort: Number(httpsPort) } : {}),
          // Always sent: an absent value would keep the saved setting.
          sudo,
        };
      case 'junos':
        return {
          ...(serverName.trim() ? { serverName: serverName.trim() } : {}),
          certId: certId.trim(),
          ...(caProfile.trim() ? { caProfile: caProfile.trim() } : {}),
          bind,
          confirmMinutes: Number(confirmMinutes),
          verifyPort: Number(verifyPort),
          webPort: Number(webPort),
        };
      case 'sps':
        return { role };
    }
  };

  const save = async (): Promise<void> => {
    setError(undefined);
    const request: RequestOf<'devices:save'> = {
      ...(device ? { id: device.id } : {}),
      name: name.trim(),
      target,
      host: host.trim(),
      port: Number(port),
      user: user.trim(),
      auth: effectiveAuth,
      ...(effectiveAuth === 'key-file' ? { identityFile: identityFile.trim() } : {}),
      ...(effectiveAuth === 'password' && password !== '' ? { password } : {}),
      ...(effectiveAuth === 'key-file' && passphrase !== '' ? { passphrase } : {}),
      ...(effectiveAuth === 'key-file' && forgetPassphrase && passphrase === '' ? { forgetPassphrase: true } : {}),
      ...targetFields(),
    };
    setSaving(true);
    const r = await call('devices:save', request);
    setSaving(false);
    if (!r.ok) return setError(r.error);
    // The secrets were handed over; the form does not keep them.
    setPassword('');
    setPassphrase('');
    onSaved(r.value);
  };

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-label={device ? `Edit ${device.name}` : 'Add device'}>
      <Stack gap="md">
        <Title order={3}>{device ? `Edit ${device.name}` : 'Add device'}</Title>
        <Stack gap={4}>
          <Text size="sm" fw={500} aria-hidden="true">Device type</Text>
          <SegmentedControl aria-label="Device type" data={TARGETS} value={target} onChange={(v) => chooseTarget(v as DeviceTarget)} w="fit-content" />
        </Stack>
        <Text size="sm" c="dimmed">{INTRO[target]} Passwords and passphrases are kept encrypted by the operating system&apos;s key store and never shown again.</Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={100} autoComplete="off" required withAsterisk={false} />
          <TextInput label="Host" description={isSps ? 'Host name or IP address of SPS\'s web interface' : isJunos ? 'Host name or IP address of the device\'s management (SSH)' : 'Host name or IP address of the server\'s SSH'} value={host} onChange={(e) => setHost(e.currentTarget.value)} error={hostErr} maxLength={253} autoComplete="off" spellCheck={false} required withAsterisk={false} />
          <TextInput label={isSps ? 'HTTPS port' : 'SSH port'} description={isJunos ? 'NETCONF over SSH: 830, or 22' : undefined} value={port} onChange={(e) => setPort(e.currentTarget.value)} error={portErr} inputMode="numeric" maxLength={5} autoComplete="off" required withAsterisk={false} />
          <TextInput label="User" description={isSps ? 'An SPS user with the REST server privilege' : undefined} value={user} onChange={(e) => setUser(e.currentTarget.value)} maxLength={64} autoComplete="off" spellCheck={false} required withAsterisk={false} />
        </SimpleGrid>
        {!isSps && (
          <Stack gap={4}>
            <Text size="sm" fw={500} aria-hidden="true">Authentication</Text>
            <SegmentedControl aria-label="Authentication" data={AUTH} value={auth} onChange={(v) => setAuth(v as SshAuthMethod)} w="fit-content" />
          </Stack>
        )}
        {effectiveAuth === 'password' && (
          <PasswordInput
            label="Password"
            description={keepsPassword ? 'A password is saved; leave empty to keep it' : isSps ? 'Saved encrypted; sent only over HTTPS to the certificate you trust' : 'Saved encrypted; needed for every push'}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            maxLength={1024}
            autoComplete="off"
            visibilityToggleButtonProps={{ 'aria-label': 'Show the password' }}
          />
        )}
        {effectiveAuth === 'key-file' && (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <TextInput
                label="Key file"
                description="Private key on this computer (OpenSSH, PKCS#1, SEC1 or PKCS#8)"
                value={identityFile}
                onChange={(e) => setIdentityFile(e.currentTarget.value)}
                autoComplete="off"
                spellCheck={false}
                style={{ flex: 1 }}
              />
              <Button variant="default" onClick={() => void chooseKey()}>Choose…</Button>
            </Group>
            <Stack gap={4}>
              <PasswordInput
                label="Key passphrase (optional)"
                description={device?.hasPassphrase ? 'A passphrase is saved; leave empty to keep it' : 'Only for an encrypted key'}
                value={passphrase}
                onChange={(e) => setPassphrase(e.currentTarget.value)}
                maxLength={1024}
                autoComplete="off"
                visibilityToggleButtonProps={{ 'aria-label': 'Show the passphrase' }}
              />
              {device?.hasPassphrase && (
                <Checkbox label="Forget the saved passphrase" checked={forgetPassphrase} onChange={(e) => setForgetPassphrase(e.currentTarget.checked)} disabled={passphrase !== ''} />
              )}
            </Stack>
          </SimpleGrid>
        )}
        {effectiveAuth === 'agent' && <Text size="sm">certbench asks the SSH agent running for your login (SSH_AUTH_SOCK) to sign in; nothing secret is saved.</Text>}
        {target === 'apstra' && (
          <>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              <TextInput label="Server name (in the certificate)" description="The name users browse to; the host when empty" value={serverName} onChange={(e) => setServerName(e.currentTarget.value)} error={serverErr} placeholder={host.trim() || undefined} maxLength={253} autoComplete="off" spellCheck={false} />
              <TextInput label="nginx folder" description="Where nginx.crt and nginx.key live" value={nginxDir} onChange={(e) => setNginxDir(e.currentTarget.value)} placeholder="/etc/aos/nginx.conf.d" maxLength={1024} autoComplete="off" spellCheck={false} />
              <TextInput label="Restart command" description="Runs on the server to load the new files" value={restartCmd} onChange={(e) => setRestartCmd(e.currentTarget.value)} placeholder="sudo -n docker restart aos_nginx_1" maxLength={1000} autoComplete="off" spellCheck={false} />
              <TextInput label="HTTPS port" description="Where the new certificate is checked" value={httpsPort} onChange={(e) => setHttpsPort(e.currentTarget.value)} error={httpsErr} placeholder="443" inputMode="numeric" maxLength={5} autoComplete="off" />
            </SimpleGrid>
            <Checkbox
              label="Use sudo"
              description="Read and write the nginx folder through sudo -n (for a user such as admin that may not write it)"
              checked={sudo}
              onChange={(e) => setSudo(e.currentTarget.checked)}
            />
          </>
        )}
        {isJunos && (
          <>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              <TextInput label="Certificate ID" description="Name of the new local certificate in the device's PKI store (certificate-id); one that does not exist there yet, e.g. web-2026" value={certId} onChange={(e) => setCertId(e.currentTarget.value)} error={certIdErr} maxLength={63} autoComplete="off" spellCheck={false} />
              <TextInput label="CA profile (optional)" description="Load the issuing CA (the first chain certificate) into this CA profile; created when missing" value={caProfile} onChange={(e) => setCaProfile(e.currentTarget.value)} error={caProfileErr} maxLength={63} autoComplete="off" spellCheck={false} />
              <TextInput label="Server name (in the certificate)" description="The name clients browse to; SNI when checking; the host when empty" value={serverName} onChange={(e) => setServerName(e.currentTarget.value)} error={serverErr} placeholder={host.trim() || undefined} maxLength={253} autoComplete="off" spellCheck={false} />
              <TextInput label="Confirm within (minutes)" description="commit confirmed: the device rolls back by itself unless certbench confirms in time" value={confirmMinutes} onChange={(e) => setConfirmMinutes(e.currentTarget.value)} error={minutesErr} inputMode="numeric" maxLength={5} autoComplete="off" />
            </SimpleGrid>
            <Checkbox.Group label="Bind to" description="The HTTPS services that serve the new certificate" value={bind} onChange={(v) => setBind(v as JunosBindingView[])} error={bindErr}>
              <Group mt={4}>
                <Checkbox value="rest" label="REST API" />
                <Checkbox value="web" label="J-Web" />
              </Group>
            </Checkbox.Group>
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              <TextInput label="REST API HTTPS port" description="system services rest https port; checked after the commit" value={verifyPort} onChange={(e) => setVerifyPort(e.currentTarget.value)} error={verifyErr} inputMode="numeric" maxLength={5} autoComplete="off" />
              <TextInput label="J-Web HTTPS port" description="Checked after the commit" value={webPort} onChange={(e) => setWebPort(e.currentTarget.value)} error={webErr} inputMode="numeric" maxLength={5} autoComplete="off" />
            </SimpleGrid>
          </>
        )}
        {isSps && (
          <Stack gap={4}>
            <Text size="sm" fw={500} aria-hidden="true">Role</Text>
            <SegmentedControl aria-label="Role" data={ROLES} value={role} onChange={(v) => setRole(v as SpsRoleView)} w="fit-content" />
            <Text size="xs" c="dimmed">Replaces {ROLE_TEXT[role]}.</Text>
          </Stack>
        )}
        {error && <ErrorAlert error={error} title="The device was not saved" />}
        <Group>
          <BusyButton onClick={() => void save()} busy={saving} disabled={!ready}>Save device</BusyButton>
          <Button variant="default" onClick={onClose}>Discard</Button>
        </Group>
      </Stack>
    </Card>
  );
}
