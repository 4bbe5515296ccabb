import { Stack, Text, TextInput } from '@mantine/core';
import type { PushHistoryEntry } from '../../../shared/contract.js';
import { dateText } from '../item-format.js';
import { MAX_CERT_ID, pushCertIdError } from '../../../shared/push-cert-id.js';

/**
 * The Junos certificate-id for one push, pre-filled with the profile's "Certificate ID". Junos refuses an id its PKI store
 * already holds, so a second push needs another; the history's earlier pushes of the same id are pointed out.
 */
export function PushCertIdField({ value, onChange, profileId, used, disabled }: {
  value: string;
  onChange: (v: string) => void;
  profileId: string | undefined;
  /** Past pushes to this device (see {@link certIdsUsed}), newest first. */
  used: PushHistoryEntry[];
  disabled: boolean;
}): React.JSX.Element {
  const error = pushCertIdError(value);
  const before = error ? undefined : used.find((e) => e.certId === value.trim() && e.outcome === 'pushed');
  return (
    <Stack gap={4}>
      <TextInput
        label="Certificate ID for this push"
        description={`The certificate-id loaded into the device's PKI store; one it does not hold yet, so every push needs a new one.${profileId ? ` The device's Certificate ID is ${profileId}.` : ''}`}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
        maxLength={MAX_CERT_ID}
        autoComplete="off"
        spellCheck={false}
        disabled={disabled}
        w={420}
      />
      {before && (
        <Text size="sm" c="orange">
          Certificate-id {before.certId} was pushed to this device on {dateText(before.at)}: the device refuses it unless it was cleared since.
        </Text>
      )}
    </Stack>
  );
}
