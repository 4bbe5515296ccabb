import { Badge, Group, List, Text } from '@mantine/core';
import type { FindingView } from '../../../shared/contract.js';

const COLOR: Record<FindingView['severity'], string> = { error: 'red', warning: 'orange', info: 'blue' };

/** Lint findings, most severe first, each with a coloured severity badge. */
export function Findings({ findings }: { findings: FindingView[] }): React.JSX.Element {
  if (findings.length === 0) return <Text size="sm" c="dimmed">No findings.</Text>;
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  return (
    <List spacing={4} listStyleType="none" aria-label="Findings">
      {sorted.map((f, i) => (
        <List.Item key={`${f.code}-${i}`}>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Badge color={COLOR[f.severity]} variant="light" miw={72}>{f.severity}</Badge>
            <Text size="sm">
              {f.message} <Text span size="xs" c="dimmed">({f.code})</Text>
            </Text>
          </Group>
        </List.Item>
      ))}
    </List>
  );
}
