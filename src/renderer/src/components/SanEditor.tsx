import { Button, Group, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import type { SanRowState } from '../csr-form.js';
import { SanRow } from './SanRow.js';

/** The list of subject alternative names with add and remove. */
export function SanEditor({ rows, onChange }: { rows: SanRowState[]; onChange: (rows: SanRowState[]) => void }): React.JSX.Element {
  const nextKey = useRef(1_000_000);
  // The row just added by the button gets the focus, so keyboard users can type right away.
  const [focusKey, setFocusKey] = useState<number | undefined>();
  const add = (): void => {
    const last = rows[rows.length - 1];
    const key = nextKey.current++;
    setFocusKey(key);
    onChange([...rows, { key, type: last?.type ?? 'DNS', value: '' }]);
  };
  return (
    <Stack gap="xs">
      {rows.length === 0 && <Text size="sm" c="dimmed">No SANs. Browsers and most devices need at least the DNS name (and the IP if you connect by address).</Text>}
      {rows.map((row) => (
        <SanRow
          key={row.key}
          san={row}
          autoFocus={row.key === focusKey}
          onChange={(san) => onChange(rows.map((r) => (r.key === row.key ? { ...san, key: r.key } : r)))}
          onRemove={() => onChange(rows.filter((r) => r.key !== row.key))}
        />
      ))}
      <Group>
        <Button variant="default" onClick={add}>Add SAN</Button>
      </Group>
    </Stack>
  );
}
