import { Alert, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { DeviceView, HostCheckView, IpcError, RequestOf } from '../../../shared/contract.js';
import { call } from '../api.js';
import { resave } from '../device-request.js';
import { dateText } from '../item-format.js';
import { BusyButton } from './BusyButton.js';
import { ErrorAlert } from './ErrorAlert.js';

type Check = HostCheckView & { for: string };

/** Subject, issuer, validity and SANs of the presented certificate, to compare with what SPS shows. */
function Presented({ check }: { check: HostCheckView }): React.JSX.Element | null {
  const c = check.certificate;
  if (!c) return null;
  const rows: [string, string][] = [
    ['Subject', c.subject],
    ['Issuer', c.selfSigned ? `${c.issuer} (self-signed)` : c.issuer],
    ['Valid from', dateText(c.notBefore)],
    ['Valid until', dateText(c.notAfter)],
    ['Names (SAN)', c.sans.length > 0 ? c.sans.join(', ') : 'none'],
  ];
  return (
    <Table aria-label="Presented certificate" withTableBorder layout="fixed">
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={130}>{k}</Table.Th>
            <Table.Td><Text size="sm" style={{ wordBreak: 'break-all' }}>{v}</Text></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/**
 * The certificate an SPS device's web interface presents: certbench logs in over HTTPS only to a server
 * presenting the certificate the engineer trusted (pinned by its SHA-256). "Check certificate" reads it
 * (nothing is sent); the first one is trusted explicitly; a different one is shown beside the trusted one and refused.
 */
export function CertificatePanel({ device, onChanged }: { device: DeviceView; onChanged: (d: DeviceView) => void }): React.JSX.Element {
  const [check, setCheck] = useState<Check | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | undefined>();
  const checkKey = `${device.id}|${device.host}|${device.port}|${device.tlsPin ?? ''}`;
  const current = check?.for === checkKey ? check : undefined;

  const run = async (): Promise<void> => {
    setError(undefined);
    setBusy(true);
    const r = await call('devices:scan-host-key', { kind: 'tls', host: device.host, port: device.port, deviceId: device.id });
    setBusy(false);
    if (!r.ok) {
      setCheck(undefined);
      return setError(r.error);
    }
    setCheck({ ...r.value, for: checkKey });
  };

  const save = async (change: Pick<RequestOf<'devices:save'>, 'tlsPin' | 'forgetTlsPin'>): Promise<void> => {
    setError(undefined);
    const r = await call('devices:save', resave(device, change));
    if (!r.ok) return setError(r.error);
    onChanged(r.value);
  };

  return (
    <section aria-label="Certificate">
      <Stack gap="sm">
        {device.tlsPin ? (
          <Text size="sm">Trusted certificate SHA-256: <Code style={{ wordBreak: 'break-all' }}>{device.tlsPin}</Code></Text>
        ) : (
          <Text size="sm">No certificate is trusted for {device.name} yet. Check the one its web interface presents, compare it with SPS&apos;s own and trust it before the first push.</Text>
        )}
        <Group>
          <BusyButton variant="default" onClick={() => void run()} busy={busy}>Check certificate</BusyButton>
        </Group>
        {error && <ErrorAlert error={error} />}
        {current && current.status === 'new' && (
          <Alert color="blue" variant="light" role="status" title={`${current.endpoint} presents this certificate`}>
            <Stack gap="xs">
              <Presented check={current} />
              <Text size="sm">SHA-256:</Text>
              <Code block aria-label="Presented certificate SHA-256" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{current.fingerprint}</Code>
              <Text size="sm">
                Compare it with the SHA-256 SPS shows under Basic Settings &gt; Management &gt; SSL certificate (or <Code>openssl x509 -noout -fingerprint -sha256</Code> on
                a copy of it). Trust it only when they are the same: certbench then sends the password only to a server presenting this certificate.
              </Text>
              <Group><Button onClick={() => void save({ tlsPin: current.fingerprint })}>Trust this certificate</Button></Group>
            </Stack>
          </Alert>
        )}
        {current && current.status === 'matches' && (
          <Alert color="green" variant="light" role="status" title="The server presents the trusted certificate">
            <Code style={{ wordBreak: 'break-all' }}>{current.fingerprint}</Code>
          </Alert>
        )}
        {current && current.status === 'changed' && (
          <Alert color="red" variant="light" role="alert" title="The certificate changed: refused">
            <Stack gap="xs">
              <Text size="sm">{current.endpoint} presents another certificate than the one trusted for {device.name}. Someone may be in the middle; no password is sent to it and nothing will be pushed.</Text>
              <Text size="sm">Trusted: <Code style={{ wordBreak: 'break-all' }}>{current.trusted}</Code></Text>
              <Text size="sm">Presented: <Code style={{ wordBreak: 'break-all' }}>{current.fingerprint}</Code></Text>
              <Presented check={current} />
              <Text size="sm">If SPS&apos;s certificate was replaced on purpose, compare the new SHA-256 with the one SPS shows, forget the trusted certificate, then check and trust again.</Text>
              <Group><Button color="red" variant="light" onClick={() => void save({ forgetTlsPin: true })}>Forget the trusted certificate</Button></Group>
            </Stack>
          </Alert>
        )}
      </Stack>
    </section>
  );
}
