import { Alert, Card, List, Stack, Table, Text, Title } from '@mantine/core';

const STEPS: { step: string; what: string }[] = [
  { step: 'Connect', what: 'SSH with the host key checked against a pin (SHA256:…) or a known_hosts file; HTTPS with the server certificate checked against a CA file or a pin. An unknown host key or certificate stops the push; nothing is silently accepted.' },
  { step: 'Preflight', what: 'The key and certificate match, the chain is complete and in order, nothing is expired, the target takes this key type, and the device hostname is in the SAN.' },
  { step: 'Backup', what: 'The certificate and key the device serves now are saved, so they can be put back.' },
  { step: 'Apply', what: 'The new files are uploaded and loaded the way the target expects.' },
  { step: 'Activate', what: 'The service is pointed at the new certificate (commit confirmed on Junos, an nginx restart on Apstra, a committed transaction on SPS).' },
  { step: 'Verify', what: 'A fresh TLS connection to the service, comparing the SHA-256 fingerprint of the certificate it serves with the one you pushed.' },
  { step: 'Confirm or roll back', what: 'Confirm when the fingerprint matches; otherwise restore the backup and say so. The device is never left half-changed.' },
];

const TARGETS: { target: string; how: string }[] = [
  { target: 'Junos', how: 'NETCONF over SSH: upload to /var/tmp, request security pki local-certificate load, bind to the REST API and J-Web in a private candidate, commit confirmed, verify, confirm; the uploaded key file is removed after loading.' },
  { target: 'Apstra', how: 'SSH and SFTP: back up nginx.crt and nginx.key in /etc/aos/nginx.conf.d, write the new ones (key 0600), restart the nginx container, verify on port 443, restore and restart again on failure.' },
  { target: 'SPS', how: 'HTTPS REST: open a transaction, upload the certificate, PKCS#1 key and chain, point the web certificate at it, commit, verify; the transaction is rolled back on any failure before the commit.' },
];

/** What the push step will do, until the push issues bring it. It offers no controls on purpose. */
export function PushScreen(): React.JSX.Element {
  return (
    <Stack gap="lg" maw={960}>
      <Alert color="blue" variant="light" role="note" title="Not available yet">
        Pushing to a device arrives with the Push issues. Until then, use Export to get the files and the command sheet
        for your target and install them by hand.
      </Alert>
      <Card withBorder padding="lg" radius="md">
        <Stack gap="sm">
          <Title order={3}>What a push will do</Title>
          <Text size="sm">Every push runs the same steps, with a live log of each one and the plan shown first as a dry run:</Text>
          <List type="ordered" spacing="xs" size="sm">
            {STEPS.map((s) => (
              <List.Item key={s.step}><Text span fw={600} size="sm">{s.step}.</Text> {s.what}</List.Item>
            ))}
          </List>
        </Stack>
      </Card>
      <Card withBorder padding="lg" radius="md">
        <Stack gap="sm">
          <Title order={3}>Per target</Title>
          <Table aria-label="How each target is pushed">
            <Table.Thead>
              <Table.Tr><Table.Th>Target</Table.Th><Table.Th>How</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {TARGETS.map((t) => (
                <Table.Tr key={t.target}><Table.Td fw={600}>{t.target}</Table.Td><Table.Td>{t.how}</Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="sm">Security Director Cloud gets no push: its files are settings you enter in the portal (see Export).</Text>
          <Text size="sm" c="dimmed">Device credentials will be kept in the main process, encrypted with the operating system&apos;s key store, and never shown to this window.</Text>
        </Stack>
      </Card>
    </Stack>
  );
}
