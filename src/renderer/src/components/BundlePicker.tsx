import { Card, MultiSelect, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { itemOptions, type BundlePick } from '../bundle-pick.js';

interface BundlePickerProps {
  /** State from `useBundlePick`. */
  pick: BundlePick;
  /** Grid columns from the md breakpoint up (one column below it). */
  cols: number;
  chainDescription: string;
  disabled?: boolean;
  /** More fields in the same grid, after Chain. */
  fields?: ReactNode;
  /** What follows the grid inside the card: the screen's buttons and messages. */
  children?: ReactNode;
}

/** The "What goes out" card: Key, Certificate and Chain selects over the session's items. */
export function BundlePicker({ pick, cols, chainDescription, disabled = false, fields, children }: BundlePickerProps): React.JSX.Element {
  const { keys, certs, key, cert, chainIds } = pick;
  return (
    <Card withBorder padding="lg" radius="md">
      <Stack gap="md">
        <Title order={3}>What goes out</Title>
        {keys.length === 0 || certs.length === 0 ? (
          <Text size="sm" c="dimmed">
            Needs a private key and its certificate in this session: generate or open the key on Keys, and drop the
            certificate your CA issued (and its chain) on Inspect &amp; Match.
          </Text>
        ) : null}
        <SimpleGrid cols={{ base: 1, md: cols }} spacing="md">
          <Select label="Key" data={itemOptions(keys)} value={key?.id ?? null} onChange={pick.pickKey} allowDeselect={false} placeholder="No key in this session" disabled={disabled} />
          <Select label="Certificate" data={itemOptions(certs)} value={cert?.id ?? null} onChange={pick.pickCert} allowDeselect={false} placeholder="No certificate in this session" disabled={disabled} />
          <MultiSelect
            label="Chain"
            description={chainDescription}
            data={itemOptions(certs.filter((c) => c.id !== cert?.id))}
            value={chainIds}
            onChange={pick.pickChain}
            placeholder={chainIds.length === 0 ? 'No chain' : undefined}
            clearable
            disabled={disabled}
          />
          {fields}
        </SimpleGrid>
        {children}
      </Stack>
    </Card>
  );
}
