import { Alert, Button, Code, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { DeviceView, IpcError, RequestOf, ResponseOf } from '../../../shared/contract.js';
import { call } from '../api.js';
import { resave } from '../device-request.js';
import { BusyButton } from './BusyButton.js';
import { ErrorAlert } from './ErrorAlert.js';

type Scan = ResponseOf<'devices:scan-host-key'> & { for: string };

/**
 * The device's SSH host key: reads the key the server presents and lets the engineer trust it the
 * first time (after comparing it with the server's own). A key that differs from the trusted one is
 * shown next to it and refused.
 */
export function HostKeyPanel({ device, onChanged }: { device: DeviceView; onChanged: (d: DeviceView) => void }): React.JSX.Element {
  const [scan, setScan] = useState<Scan | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | undefined>();
  const scanKey = `${device.id}|${device.host}|${device.port}|${device.hostKey ?? ''}`;
  const current = scan?.for === scanKey ? scan : undefined;

  const check = async (): Promise<void> => {
    setError(undefined);
    setBusy(true);
    const r = await call('devices:scan-host-key', { host: device.host, port: device.port, deviceId: device.id });
    setBusy(false);
    if (!r.ok) {
      setScan(undefined);
      return setError(r.error);
    }
    setScan({ ...r.value, for: scanKey });
  };

  const save = async (change: Pick<RequestOf<'devices:save'>, 'hostKey' | 'forgetHostKey'>): Promise<void> => {
    setError(undefined);
    const r = await call('devices:save', resave(device, change));
    if (!r.ok) return setError(r.error);
    onChanged(r.value);
  };

  return (
    <section aria-label="Host key">
      <Stack gap="sm">
        {device.hostKey ? (
          <Text size="sm">Trusted host key: <Code>{device.hostKey}</Code></Text>
        ) : (
          <Text size="sm">No host key is trusted for {device.name} yet. Check it, compare it with the server&apos;s own and trust it before the first push.</Text>
        )}
        <Group>
          <BusyButton variant="default" onClick={() => void check()} busy={busy}>Check host key</BusyButton>
        </Group>
        {error && <ErrorAlert error={error} />}
        {current && current.status === 'new' && (
          <Alert color="blue" variant="light" role="status" title={`${current.endpoint} presents this ${current.type} key`}>
            <Stack gap="xs">
              <Code block aria-label="Presented host key">{current.fingerprint}</Code>
              <Text size="sm">
                Compare it with the fingerprint on the {device.target === 'junos' ? 'device' : 'server'}, e.g. {device.target === 'junos' ? <><Code>start shell</Code> then </> : null}<Code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</Code> on its console.
                Trust it only when they are the same: certbench then refuses any other key for this device.
              </Text>
              <Group><Button onClick={() => void save({ hostKey: current.fingerprint })}>Trust this key</Button></Group>
            </Stack>
          </Alert>
        )}
        {current && current.status === 'matches' && (
          <Alert color="green" variant="light" role="status" title="The server presents the trusted key">
            <Code>{current.type} {current.fingerprint}</Code>
          </Alert>
        )}
        {current && current.status === 'changed' && (
          <Alert color="red" variant="light" role="alert" title="The host key changed: refused">
            <Stack gap="xs">
              <Text size="sm">{current.endpoint} presents another key than the one trusted for {device.name}. Someone may be in the middle; nothing will be pushed to it.</Text>
              <Text size="sm">Trusted: <Code>{current.trusted}</Code></Text>
              <Text size="sm">Presented ({current.type}): <Code>{current.fingerprint}</Code></Text>
              <Text size="sm">If the server&apos;s key was replaced on purpose, confirm the new fingerprint with its administrator, forget the trusted key, then check and trust again.</Text>
              <Group><Button color="red" variant="light" onClick={() => void save({ forgetHostKey: true })}>Forget the trusted key</Button></Group>
            </Stack>
          </Alert>
        )}
      </Stack>
    </section>
  );
}
