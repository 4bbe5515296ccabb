import { Alert, Badge, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { IpcError, MatchView } from '../../../shared/contract.js';
import { call } from '../api.js';
import { kindText } from '../item-format.js';
import { ErrorAlert } from './ErrorAlert.js';

/**
 * The verdict whether the chosen keys, certificates and CSRs share one public key, with each one's
 * public-key SHA-256 side by side and the odd ones marked.
 */
export function MatchPanel({ ids }: { ids: string[] }): React.JSX.Element {
  const key = ids.join(',');
  const [result, setResult] = useState<{ for: string; view?: MatchView; error?: IpcError } | undefined>();

  useEffect(() => {
    if (key === '' || !key.includes(',')) return;
    let live = true;
    void call('items:match', { ids: key.split(',') }).then((r) => {
      if (live) setResult(r.ok ? { for: key, view: r.value } : { for: key, error: r.error });
    });
    return () => { live = false; };
  }, [key]);

  if (ids.length < 2) {
    return <Text size="sm" c="dimmed">Add at least two of: a private key, a certificate, a CSR. The verdict says whether they share one public key.</Text>;
  }
  const current = result?.for === key ? result : undefined;
  if (!current) return <Text size="sm" c="dimmed" role="status">Comparing public keys…</Text>;
  if (current.error) return <ErrorAlert error={current.error} title="Could not compare the items" />;
  const view = current.view!;
  return (
    <Stack gap="sm">
      <Alert color={view.match ? 'green' : 'red'} variant="light" role="status" aria-live="polite">
        <Text fw={700} size="lg" data-testid="match-verdict">{view.match ? 'MATCH' : 'MISMATCH'}: {view.message}</Text>
      </Alert>
      <Table.ScrollContainer minWidth={600}>
        <Table aria-label="Public keys compared">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Public-key SHA-256</Table.Th>
              <Table.Th>Result</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {view.items.map((i) => (
              <Table.Tr key={i.id} bg={i.differs ? 'var(--mantine-color-red-light)' : undefined}>
                <Table.Td>{i.file}</Table.Td>
                <Table.Td>{kindText(i.kind)}</Table.Td>
                <Table.Td style={{ fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-all' }}>{i.spkiSha256}</Table.Td>
                <Table.Td>{i.differs ? <Badge color="red">differs</Badge> : <Badge color="green" variant="light">same</Badge>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
