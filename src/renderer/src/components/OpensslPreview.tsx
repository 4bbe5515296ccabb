import { Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { IpcError, RequestOf } from '../../../shared/contract.js';
import { call } from '../api.js';
import { CodePanel } from './CodePanel.js';
import { ErrorAlert } from './ErrorAlert.js';

/** The OpenSSL req config and command line for the form as it is now, refreshed as the form settles. */
export function OpensslPreview({ request, stem, onConfig }: {
  request: RequestOf<'csr:openssl-config'>;
  /** File name stem for saving (usually the CN). */
  stem: string;
  /** Told the current config text (undefined while the form cannot make one). */
  onConfig: (config: string | undefined) => void;
}): React.JSX.Element {
  // Serialised so a new object with the same content does not start another call.
  const [key] = useDebouncedValue(JSON.stringify(request), 300);
  const [result, setResult] = useState<{ config: string; command: string } | undefined>();
  const [error, setError] = useState<IpcError | undefined>();

  useEffect(() => {
    const req = JSON.parse(key) as RequestOf<'csr:openssl-config'>;
    if (req.subject.length === 0) {
      setResult(undefined);
      setError(undefined);
      onConfig(undefined);
      return;
    }
    let live = true;
    void call('csr:openssl-config', req).then((r) => {
      if (!live) return;
      if (r.ok) {
        setResult(r.value);
        setError(undefined);
        onConfig(r.value.config);
      } else {
        setResult(undefined);
        setError(r.error);
        onConfig(undefined);
      }
    });
    return () => { live = false; };
  }, [key, onConfig]);

  return (
    <Stack gap="md">
      {!result && !error && <Text size="sm" c="dimmed">Fill at least one subject field to see the OpenSSL config and command.</Text>}
      {error && <ErrorAlert error={error} title="No OpenSSL config for this form yet" />}
      {result && (
        <>
          <CodePanel label="OpenSSL config" content={result.config} suggestedName={`${stem}.cnf`} maxHeight={420} />
          <CodePanel label="OpenSSL command" content={result.command} suggestedName={`${stem}-openssl-req.txt`} maxHeight={120} />
          <Text size="xs" c="dimmed">Run the command next to the saved config and the key file to make the same request with OpenSSL.</Text>
        </>
      )}
    </Stack>
  );
}
