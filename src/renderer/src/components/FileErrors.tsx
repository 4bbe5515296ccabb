import { Stack } from '@mantine/core';
import { ErrorAlert } from './ErrorAlert.js';

/** A file that could not be read, as main reports it. */
export interface FileError {
  file: string;
  code: string;
  message: string;
}

/** One alert per file that could not be read, each naming the file. */
export function FileErrors({ errors, onDismiss }: { errors: FileError[]; onDismiss: (index: number) => void }): React.JSX.Element | null {
  if (errors.length === 0) return null;
  return (
    <Stack gap="xs">
      {errors.map((e, i) => (
        <ErrorAlert
          key={`${e.file}-${i}`}
          error={{ code: e.code, message: e.message.startsWith(e.file) ? e.message : `${e.file}: ${e.message}` }}
          title={`Could not read ${e.file}`}
          onClose={() => onDismiss(i)}
        />
      ))}
    </Stack>
  );
}
