import { Badge, Card, DataList, Group, Stack, Text, Title } from '@mantine/core';
import type { ItemView } from '../../../shared/contract.js';
import { dateText, fileText, keyText, kindText } from '../item-format.js';
import { Findings } from './Findings.js';

function DaysLeft({ days }: { days: number }): React.JSX.Element {
  if (days < 0) return <Badge color="red" variant="light">expired {-days} days ago</Badge>;
  return <Badge color={days < 30 ? 'orange' : 'green'} variant="light">{days} days left</Badge>;
}

function Row({ label, children }: { label: string; children: React.ReactNode }): React.JSX.Element {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

const mono = { fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-all' } as const;

/** One decoded item as the engineer wants to see it: names, key, validity, fingerprints, findings. */
export function ItemCard({ item, children, actions }: {
  item: ItemView;
  /** Extra content under the details (e.g. the match toggle). */
  children?: React.ReactNode;
  /** Buttons in the header (Remove, Save…). */
  actions?: React.ReactNode;
}): React.JSX.Element {
  const flags = [item.isCa ? 'CA' : undefined, item.selfSigned ? 'self-signed' : undefined].filter((f): f is string => f !== undefined);
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-label={`${kindText(item.kind)} ${fileText(item)}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={4}>
            <Group gap="xs">
              <Badge variant="filled">{kindText(item.kind)}</Badge>
              <Badge variant="outline" color="gray">{item.container.toUpperCase()}</Badge>
              {flags.map((f) => <Badge key={f} variant="outline" color="grape">{f}</Badge>)}
            </Group>
            <Title order={4} style={{ wordBreak: 'break-all' }}>{fileText(item)}</Title>
          </Stack>
          {actions && <Group gap="xs" wrap="nowrap">{actions}</Group>}
        </Group>
        <DataList size="sm" labelWidth={150}>
          {item.subject !== undefined && <Row label="Subject">{item.subject || '(empty)'}</Row>}
          {item.issuer !== undefined && <Row label="Issuer">{item.issuer}</Row>}
          {item.san && <Row label="SAN">{item.san.length > 0 ? item.san.join(', ') : '(none)'}</Row>}
          <Row label="Key">{keyText(item.key)}{item.encoding ? ` (${item.encoding})` : ''}</Row>
          {item.signatureAlgorithm && <Row label="Signature">{item.signatureAlgorithm}</Row>}
          {item.notAfter && (
            <Row label="Validity">
              <Group gap="xs">
                <Text size="sm">{dateText(item.notBefore)} to {dateText(item.notAfter)}</Text>
                {item.daysLeft !== undefined && <DaysLeft days={item.daysLeft} />}
              </Group>
            </Row>
          )}
          {item.serial && <Row label="Serial"><Text size="sm" style={mono}>{item.serial}</Text></Row>}
          {item.keyUsage && item.keyUsage.length > 0 && <Row label="Key usage">{item.keyUsage.join(', ')}</Row>}
          {item.extendedKeyUsage && item.extendedKeyUsage.length > 0 && <Row label="Extended key usage">{item.extendedKeyUsage.join(', ')}</Row>}
          {item.sha256 && <Row label="SHA-256"><Text size="sm" style={mono}>{item.sha256}</Text></Row>}
          {item.sha1 && <Row label="SHA-1"><Text size="sm" style={mono}>{item.sha1}</Text></Row>}
          <Row label="Public-key SHA-256"><Text size="sm" style={mono}>{item.spkiSha256}</Text></Row>
        </DataList>
        <Stack gap={4}>
          <Text size="sm" fw={500}>Lint findings</Text>
          <Findings findings={item.findings} />
        </Stack>
        {children}
      </Stack>
    </Card>
  );
}
