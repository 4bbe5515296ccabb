import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { SanView } from '../../../shared/contract.js';
import { call, errorText } from '../api.js';

const SAN_TYPES: SanView['type'][] = ['DNS', 'IP', 'email', 'URI'];
const PLACEHOLDER: Record<SanView['type'], string> = {
  DNS: 'router1.example.net',
  IP: '192.0.2.1 or 2001:db8::1',
  email: 'noc@example.net',
  URI: 'https://router1.example.net/',
};

/** One SAN row: type, value with inline validation by the core (debounced), and a remove button. */
export function SanRow({ san, autoFocus, onChange, onRemove }: {
  san: SanView;
  autoFocus?: boolean;
  onChange: (san: SanView) => void;
  onRemove: () => void;
}): React.JSX.Element {
  const [debounced] = useDebouncedValue(san, 300);
  const [check, setCheck] = useState<{ for: string; message?: string; normalized?: string }>({ for: '' });

  useEffect(() => {
    const value = debounced.value.trim();
    if (value === '') return;
    let live = true;
    void call('san:validate', { type: debounced.type, value }).then((r) => {
      if (!live) return;
      const key = `${debounced.type}:${value}`;
      if (!r.ok) setCheck({ for: key, message: errorText(r.error) });
      else setCheck({ for: key, ...(r.value.ok ? {} : { message: r.value.message ?? 'not a valid value' }), ...(r.value.normalized ? { normalized: r.value.normalized } : {}) });
    });
    return () => { live = false; };
  }, [debounced]);

  // Only show the result for what is in the field now, so a stale answer never sticks to new text.
  const current = check.for === `${san.type}:${san.value.trim()}` ? check : undefined;
  const note = current?.normalized && current.normalized !== san.value.trim() ? `Will be written as ${current.normalized}` : undefined;
  return (
    <Group align="flex-start" gap="sm" wrap="nowrap">
      <NativeSelect
        label="SAN type"
        data={SAN_TYPES}
        value={san.type}
        onChange={(e) => onChange({ ...san, type: e.currentTarget.value as SanView['type'] })}
        w={110}
      />
      <TextInput
        label="SAN value"
        placeholder={PLACEHOLDER[san.type]}
        value={san.value}
        onChange={(e) => onChange({ ...san, value: e.currentTarget.value })}
        error={current?.message}
        description={note}
        style={{ flex: 1 }}
        autoFocus={autoFocus}
        autoComplete="off"
        spellCheck={false}
      />
      <Button variant="subtle" color="red" mt={26} onClick={onRemove} aria-label="Remove SAN">Remove</Button>
    </Group>
  );
}
