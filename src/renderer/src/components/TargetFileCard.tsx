import { Badge, Card, Group, Stack, Text } from '@mantine/core';
import type { ResponseOf } from '../../../shared/contract.js';
import { CodePanel } from './CodePanel.js';

/** One file of a target's output. */
export type TargetFileView = ResponseOf<'format:build'>['files'][number];

/** A target file: name, what it is for, and its content with Copy and Save… unless it holds the private key. */
export function TargetFileCard({ file }: { file: TargetFileView }): React.JSX.Element {
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-label={file.name}>
      <Stack gap="xs">
        <Group gap="xs">
          <Text fw={700} ff="monospace">{file.name}</Text>
          {file.secret && <Badge color="red" variant="light">secret</Badge>}
        </Group>
        <Text size="sm">{file.description}</Text>
        {file.secret || file.content === undefined ? (
          <Text size="sm" c="red">holds the private key — written only with Save all…</Text>
        ) : (
          <CodePanel label={file.name} content={file.content} suggestedName={file.name} maxHeight={260} showLabel={false} />
        )}
      </Stack>
    </Card>
  );
}
