import { Alert, Badge, List, Stack, Table, Text } from '@mantine/core';
import type { PushOutcomeView, PushResultView } from '../../../shared/contract.js';
import { targetName } from '../device-request.js';
import { Findings } from './Findings.js';

const WORDS: Record<PushOutcomeView, { head: string; color: string; text: (endpoint: string) => string }> = {
  pushed: { head: 'PUSHED', color: 'green', text: () => 'the new certificate is installed and the server serves it (checked by its fingerprint).' },
  planned: { head: 'PLAN', color: 'blue', text: (e) => `nothing was changed on ${e}; this is what a push will do.` },
  unchanged: { head: 'UNCHANGED', color: 'orange', text: () => 'the push stopped before anything was changed on the device.' },
  'rolled-back': { head: 'ROLLED BACK', color: 'orange', text: () => 'the push failed after a change; the previous state was restored and the previous certificate is served again.' },
  'needs-attention': { head: 'NEEDS ATTENTION', color: 'red', text: () => 'the push failed and the previous state could not be restored or confirmed: check the server now.' },
};

/** The outcome line of a push, as the e2e specs and people read it: "PUSHED: ...", "ROLLED BACK: ..." */
export function outcomeText(r: Pick<PushResultView, 'outcome' | 'endpoint'>): string {
  const w = WORDS[r.outcome];
  return `${w.head}: ${w.text(r.endpoint)}`;
}

/** A fingerprint, or a dash for none. */
function Fp({ value }: { value: string | undefined }): React.JSX.Element {
  return value ? <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>{value}</Text> : <Text size="xs" c="dimmed">—</Text>;
}

/** The result of a push or dry run: the outcome in words, the fingerprints side by side, the plan, the warnings. */
export function PushOutcome({ result }: { result: PushResultView }): React.JSX.Element {
  const w = WORDS[result.outcome];
  const servedIsNew = result.servedSha256 !== undefined && result.servedSha256 === result.newSha256;
  return (
    <Stack gap="md">
      <Alert color={w.color} variant="light" role="status" title={`${result.outcome === 'planned' ? 'Dry run on' : 'Push to'} ${targetName(result.target)} ${result.endpoint}`}>
        <Text size="sm" fw={600} data-testid="push-outcome">{outcomeText(result)}</Text>
      </Alert>
      <Table aria-label="Fingerprints" layout="fixed" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>New certificate SHA-256</Table.Th>
            <Table.Th>{result.outcome === 'planned' ? 'Served now SHA-256' : 'Served before SHA-256'}</Table.Th>
            <Table.Th>{result.outcome === 'planned' ? 'Served after the push' : 'Served now SHA-256'}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td aria-label="New SHA-256"><Fp value={result.newSha256} /></Table.Td>
            <Table.Td aria-label="Previous SHA-256"><Fp value={result.previousSha256} /></Table.Td>
            <Table.Td aria-label="Served SHA-256">
              {result.outcome === 'planned' ? <Text size="xs" c="dimmed">—</Text> : <Fp value={result.servedSha256} />}
              {servedIsNew && <Badge size="xs" color="green" variant="light" mt={4}>same as the new certificate</Badge>}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {result.plan.length > 0 && (
        <Stack gap={4}>
          <Text size="sm" fw={600}>Plan</Text>
          <List type="ordered" size="sm" spacing={2} aria-label="Plan">
            {result.plan.map((s, i) => <List.Item key={i}><Text span fw={600} size="sm">{s.step}</Text> — {s.description}</List.Item>)}
          </List>
        </Stack>
      )}
      {result.backups.length > 0 && (
        <Text size="sm">Backups on the server: {result.backups.join(', ')}</Text>
      )}
      {result.warnings.length > 0 && (
        <Alert color="yellow" variant="light" role="status" title={`${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}`}>
          <Findings findings={result.warnings} />
        </Alert>
      )}
    </Stack>
  );
}
