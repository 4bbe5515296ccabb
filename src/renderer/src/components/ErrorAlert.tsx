import { Alert, Stack, Text } from '@mantine/core';
import type { IpcError } from '../../../shared/contract.js';
import { errorText, errorTitle } from '../api.js';

/** An error from the core (or the IPC plumbing) as an alert: a title for the code, then the message lines. */
export function ErrorAlert({ error, title, onClose }: { error: IpcError; title?: string; onClose?: () => void }): React.JSX.Element {
  const lines = errorText(error).split('\n').filter((l) => l.trim().length > 0);
  return (
    <Alert
      color="red"
      variant="light"
      title={title ?? errorTitle(error.code)}
      withCloseButton={onClose !== undefined}
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      <Stack gap={2}>
        {lines.map((line, i) => (
          <Text key={i} size="sm">{line}</Text>
        ))}
      </Stack>
    </Alert>
  );
}
