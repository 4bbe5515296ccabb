import { Button } from '@mantine/core';
import type { ItemView } from '../../../shared/contract.js';
import { fileText } from '../item-format.js';

/** A small "Remove" button for an item card, named after the item for screen readers. */
export function RemoveButton({ item, onRemove }: { item: ItemView; onRemove: () => void }): React.JSX.Element {
  return (
    <Button size="xs" variant="subtle" color="red" onClick={onRemove} aria-label={`Remove ${fileText(item)}`}>Remove</Button>
  );
}
