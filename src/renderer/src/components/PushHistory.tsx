import { Badge, Table, Text } from '@mantine/core';
import type { PushHistoryEntry, PushOutcomeView } from '../../../shared/contract.js';
import { targetName } from '../device-request.js';
import { dateText } from '../item-format.js';

const OUTCOME: Record<PushOutcomeView, { label: string; color: string }> = {
  pushed: { label: 'pushed', color: 'green' },
  planned: { label: 'plan', color: 'blue' },
  unchanged: { label: 'unchanged', color: 'orange' },
  'rolled-back': { label: 'rolled back', color: 'orange' },
  'needs-attention': { label: 'needs attention', color: 'red' },
};

// Long enough to tell certificates apart at a glance; the full value is in the cell's title.
function short(fp: string | undefined): React.JSX.Element {
  if (!fp) return <Text size="xs" c="dimmed">—</Text>;
  return <Text size="xs" ff="monospace" title={fp}>{fp.length > 24 ? `${fp.slice(0, 17)}…${fp.slice(-5)}` : fp}</Text>;
}

/** The past pushes (never dry runs), newest first: time, device, its type and endpoint, the Junos certificate-id, outcome, fingerprints, the error if any. */
export function PushHistory({ entries }: { entries: PushHistoryEntry[] }): React.JSX.Element {
  if (entries.length === 0) return <Text size="sm" c="dimmed">No pushes yet.</Text>;
  return (
    <Table.ScrollContainer minWidth={1100}>
      <Table aria-label="Push history" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Endpoint</Table.Th>
            <Table.Th>Certificate ID</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>New SHA-256</Table.Th>
            <Table.Th>Previous SHA-256</Table.Th>
            <Table.Th>Served SHA-256</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td><Text size="xs">{dateText(e.at)}</Text></Table.Td>
              <Table.Td>{e.deviceName}</Table.Td>
              <Table.Td>{targetName(e.target)}</Table.Td>
              <Table.Td><Text size="xs" ff="monospace">{e.host.includes(':') ? `[${e.host}]` : e.host}:{e.port}</Text></Table.Td>
              <Table.Td>{e.certId ? <Text size="xs" ff="monospace">{e.certId}</Text> : <Text size="xs" c="dimmed">—</Text>}</Table.Td>
              <Table.Td style={{ minWidth: 150 }}><Badge variant="light" color={OUTCOME[e.outcome].color}>{OUTCOME[e.outcome].label}</Badge></Table.Td>
              <Table.Td>{short(e.newSha256)}</Table.Td>
              <Table.Td>{short(e.previousSha256)}</Table.Td>
              <Table.Td>{short(e.servedSha256)}</Table.Td>
              <Table.Td><Text size="xs">{e.error?.message ?? ''}</Text></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
