import { Button, Code, Group, ScrollArea, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useId, useState } from 'react';
import type { IpcError } from '../../../shared/contract.js';
import { call } from '../api.js';
import { ErrorAlert } from './ErrorAlert.js';

/** Non-secret text (a config, a command, a certificate) in a labelled code block with Copy and Save… buttons. */
export function CodePanel({ label, content, suggestedName, maxHeight = 320, showLabel = true }: {
  label: string;
  /** False when a heading right above already names the content (the label stays for screen readers). */
  showLabel?: boolean;
  content: string;
  suggestedName: string;
  maxHeight?: number;
}): React.JSX.Element {
  const titleId = useId();
  const [status, setStatus] = useState('');
  const [error, setError] = useState<IpcError | undefined>();

  const copy = async (): Promise<void> => {
    setError(undefined);
    const r = await call('clipboard:write', { text: content });
    if (r.ok) setStatus('Copied to the clipboard.');
    else setError(r.error);
  };
  const save = async (): Promise<void> => {
    setError(undefined);
    const r = await call('text:save', { suggestedName, content });
    if (!r.ok) setError(r.error);
    else if (r.value.canceled) setStatus('Save canceled.');
    else setStatus(`Saved to ${r.value.path ?? suggestedName}.`);
  };

  return (
    <Stack gap={6}>
      <Group justify={showLabel ? 'space-between' : 'flex-end'} wrap="nowrap">
        {showLabel ? <Text fw={500} size="sm" id={titleId}>{label}</Text> : <VisuallyHidden id={titleId}>{label}</VisuallyHidden>}
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => void copy()} aria-describedby={titleId}>Copy</Button>
          <Button size="xs" variant="default" onClick={() => void save()} aria-describedby={titleId}>Save…</Button>
        </Group>
      </Group>
      <ScrollArea.Autosize mah={maxHeight} type="auto">
        <Code block aria-label={label} tabIndex={0} style={{ whiteSpace: 'pre', overflowX: 'auto' }}>{content}</Code>
      </ScrollArea.Autosize>
      {status && <Text size="xs" c="dimmed" role="status">{status}</Text>}
      {error && <ErrorAlert error={error} onClose={() => setError(undefined)} />}
    </Stack>
  );
}
