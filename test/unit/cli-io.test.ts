import { describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/io.js';

// Text quoted from a device reaches the terminal through printable(): it must stay one harmless line.
describe('printable', () => {
  const rows: { name: string; input: string; want: string }[] = [
    { name: 'plain text is unchanged', input: 'nginx.crt backed up (0600)', want: 'nginx.crt backed up (0600)' },
    { name: 'a tab is kept', input: 'a\tb', want: 'a\tb' },
    { name: 'line breaks cannot print a fake line', input: 'failed\nPUSHED: the new certificate is served', want: 'failed | PUSHED: the new certificate is served' },
    { name: 'CRLF too', input: 'a\r\nb', want: 'a | b' },
    { name: 'a lone carriage return cannot rewrite the line', input: 'ok\rFAIL', want: 'ok\\u000dFAIL' },
    { name: 'an escape sequence is shown, not obeyed', input: 'x\u001b[2J.conf', want: 'x\\u001b[2J.conf' },
    { name: 'C1 controls (CSI) are shown', input: 'a\u009bb', want: 'a\\u009bb' },
    { name: 'DEL and NUL are shown', input: '\u0000\u007f', want: '\\u0000\\u007f' },
    { name: 'a bidi override cannot reorder what is shown', input: 'nginx.crt\u202Ebak.conf', want: 'nginx.crt\\u202ebak.conf' },
    { name: 'non-ASCII letters pass', input: 'Zürich – Straße', want: 'Zürich – Straße' },
  ];
  for (const r of rows) it(r.name, () => expect(printable(r.input)).toBe(r.want));
});
