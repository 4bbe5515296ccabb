import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import type { PushEventView } from '../../../shared/contract.js';

const STATUS: Record<PushEventView['status'], { color: string; label: string }> = {
  start: { color: 'blue', label: 'start' },
  ok: { color: 'green', label: 'ok' },
  fail: { color: 'red', label: 'failed' },
  skip: { color: 'gray', label: 'skipped' },
  info: { color: 'gray', label: 'info' },
};

/** How far the push is, 0-100, from its events: a started step counts half. */
export function progressOf(events: PushEventView[], done: boolean): number {
  if (done) return 100;
  const last = events.at(-1);
  if (!last || last.total <= 0) return 0;
  const finished = last.index - (last.status === 'start' ? 0.5 : 0);
  return Math.max(0, Math.min(100, Math.round((finished / last.total) * 100)));
}

function timeOf(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

/** The live step log of a push or dry run, with a progress bar. */
export function PushLog({ events, done, failed }: { events: PushEventView[]; done: boolean; failed: boolean }): React.JSX.Element {
  const value = progressOf(events, done);
  return (
    <Stack gap="sm">
      <Progress.Root size="lg" radius="sm">
        <Progress.Section value={value} color={failed ? 'red' : done ? 'green' : 'blue'} animated={!done} aria-label="Push progress" />
      </Progress.Root>
      <Stack gap={4} role="log" aria-label="Push log" aria-live="polite">
        {events.length === 0 && <Text size="sm" c="dimmed">Connecting…</Text>}
        {events.map((e, i) => (
          <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
            <Text size="xs" c="dimmed" ff="monospace" miw={72}>{timeOf(e.at)}</Text>
            <Badge size="sm" variant="light" color={STATUS[e.status].color} miw={64}>{STATUS[e.status].label}</Badge>
            <Text size="sm"><Text span fw={600} size="sm">{e.step}</Text> {e.message}</Text>
          </Group>
        ))}
      </Stack>
    </Stack>
  );
}
