import { Group, Loader, Stack, Text } from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useState } from 'react';

/** An indeterminate progress indicator with the seconds elapsed, for work whose length nobody can predict. */
export function ElapsedLoader({ label, note }: { label: string; note?: string }): React.JSX.Element {
  const [started] = useState(() => Date.now());
  const [now, setNow] = useState(started);
  useInterval(() => setNow(Date.now()), 250, { autoInvoke: true });
  const seconds = Math.floor((now - started) / 1000);
  return (
    <Group gap="sm" role="status" aria-live="polite" aria-busy="true" wrap="nowrap">
      <Loader size="sm" aria-hidden="true" />
      <Stack gap={0}>
        <Text size="sm" fw={500}>{label} {seconds} s</Text>
        {note && <Text size="xs" c="dimmed">{note}</Text>}
      </Stack>
    </Group>
  );
}
