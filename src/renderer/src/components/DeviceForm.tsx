import { Button, Card, Checkbox, Group, PasswordInput, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { DeviceView, IpcError, RequestOf, SshAuthMethod } from '../../../shared/contract.js';
import { call } from '../api.js';
import { BusyButton } from './BusyButton.js';
import { ErrorAlert } from './ErrorAlert.js';

const AUTH: { value: SshAuthMethod; label: string }[] = [
  { value: 'password', label: 'Password' },
  { value: 'key-file', label: 'Key file' },
  { value: 'agent', label: 'SSH agent' },
];

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
 * Adds a device or changes one. Passwords and passphrases go to main once, on save, and are never
 * shown again: an empty field keeps what is saved.
 */
export function DeviceForm({ device, onSaved, onClose }: { device?: DeviceView; onSaved: (d: DeviceView) => void; onClose: () => void }): React.JSX.Element {
  const [name, setName] = useState(device?.name ?? '');
  const [host, setHost] = useState(device?.host ?? '');
  const [port, setPort] = useState(String(device?.port ?? 22));
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
  const [error, setError] = useState<IpcError | undefined>();
  const [saving, setSaving] = useState(false);

  const hostErr = hostError(host);
  const serverErr = hostError(serverName);
  const portErr = portError(port, false);
  const httpsErr = portError(httpsPort, true);
  const keepsPassword = device?.auth === 'password' && device.hasPassword;
  const ready = name.trim() !== '' && host.trim() !== '' && user.trim() !== '' && !hostErr && !serverErr && !portErr && !httpsErr &&
    (auth !== 'password' || password !== '' || keepsPassword) && (auth !== 'key-file' || identityFile.trim() !== '');

  const chooseKey = async (): Promise<void> => {
    setError(undefined);
    const r = await call('devices:choose-key-file', {});
    if (!r.ok) return setError(r.error);
    if (!r.value.canceled && r.value.path) setIdentityFile(r.value.path);
  };

  const save = async (): Promise<void> => {
    setError(undefined);
    const request: RequestOf<'devices:save'> = {
      ...(device ? { id: device.id } : {}),
      name: name.trim(),
      target: 'apstra',
      host: host.trim(),
      port: Number(port),
      user: user.trim(),
      auth,
      ...(auth === 'key-file' ? { identityFile: identityFile.trim() } : {}),
      ...(auth === 'password' && password !== '' ? { password } : {}),
      ...(auth === 'key-file' && passphrase !== '' ? { passphrase } : {}),
      ...(auth === 'key-file' && forgetPassphrase && passphrase === '' ? { forgetPassphrase: true } : {}),
      ...(serverName.trim() ? { serverName: serverName.trim() } : {}),
      ...(nginxDir.trim() ? { nginxDir: nginxDir.trim() } : {}),
      ...(restartCmd.trim() ? { restartCmd: restartCmd.trim() } : {}),
      ...(httpsPort.trim() ? { httpsPort: Number(httpsPort) } : {}),
      // Always sent: an absent value would keep the saved setting.
      sudo,
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
        <Text size="sm" c="dimmed">An Apstra server reached over SSH. Passwords and passphrases are kept encrypted by the operating system&apos;s key store and never shown again.</Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={100} autoComplete="off" required withAsterisk={false} />
          <TextInput label="Host" description="Host name or IP address of the server's SSH" value={host} onChange={(e) => setHost(e.currentTarget.value)} error={hostErr} maxLength={253} autoComplete="off" spellCheck={false} required withAsterisk={false} />
          <TextInput label="SSH port" value={port} onChange={(e) => setPort(e.currentTarget.value)} error={portErr} inputMode="numeric" maxLength={5} autoComplete="off" required withAsterisk={false} />
          <TextInput label="User" value={user} onChange={(e) => setUser(e.currentTarget.value)} maxLength={64} autoComplete="off" spellCheck={false} required withAsterisk={false} />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500} aria-hidden="true">Authentication</Text>
          <SegmentedControl aria-label="Authentication" data={AUTH} value={auth} onChange={(v) => setAuth(v as SshAuthMethod)} w="fit-content" />
        </Stack>
        {auth === 'password' && (
          <PasswordInput
            label="Password"
            description={keepsPassword ? 'A password is saved; leave empty to keep it' : 'Saved encrypted; needed for every push'}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            maxLength={1024}
            autoComplete="off"
            visibilityToggleButtonProps={{ 'aria-label': 'Show the password' }}
          />
        )}
        {auth === 'key-file' && (
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
        {auth === 'agent' && <Text size="sm">certbench asks the SSH agent running for your login (SSH_AUTH_SOCK) to sign in; nothing secret is saved.</Text>}
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
        {error && <ErrorAlert error={error} title="The device was not saved" />}
        <Group>
          <BusyButton onClick={() => void save()} busy={saving} disabled={!ready}>Save device</BusyButton>
          <Button variant="default" onClick={onClose}>Discard</Button>
        </Group>
      </Stack>
    </Card>
  );
}
