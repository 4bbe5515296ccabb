import { Button, Loader, type ButtonProps, type ElementProps } from '@mantine/core';
import type { MouseEvent } from 'react';

type BusyButtonProps = ButtonProps & ElementProps<'button', keyof ButtonProps> & {
  /** The button's work is running: it looks disabled and ignores presses, but keeps keyboard focus. */
  busy: boolean;
};

/**
 * A Button for work that takes a while. Mantine's `loading` sets the native `disabled` attribute,
 * and Chromium then drops keyboard focus to <body>, so a keyboard user lands at the top of the page
 * after every press. This one stays focusable while busy: it is styled disabled (`data-disabled`),
 * tells assistive technology (`aria-disabled`, `aria-busy`), shows a small loader and ignores
 * presses until the work is done. `disabled` still disables it natively, for "not possible yet".
 */
export function BusyButton({ busy, onClick, leftSection, ...rest }: BusyButtonProps): React.JSX.Element {
  const press = (e: MouseEvent<HTMLButtonElement>): void => {
    if (busy) {
      e.preventDefault();
      return;
    }
    onClick?.(e);
  };
  return (
    <Button
      {...rest}
      data-disabled={busy || undefined}
      aria-disabled={busy || undefined}
      aria-busy={busy || undefined}
      leftSection={busy ? <Loader size={14} color="currentColor" aria-hidden="true" /> : leftSection}
      onClick={press}
    />
  );
}
