import { describe, expect, it } from 'vitest';
import { parsePem, toPem } from '../../src/core/pki/pem.js';
import { InputError } from '../../src/core/errors.js';

const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
const pem = toPem('CERTIFICATE', der);

describe('parsePem', () => {
  const cases: { name: string; input: string; want: { labels: string[] } | { error: string } }[] = [
    { name: 'one block', input: pem, want: { labels: ['CERTIFICATE'] } },
    { name: 'CRLF endings', input: pem.replace(/\n/g, '\r\n'), want: { labels: ['CERTIFICATE'] } },
    { name: 'leading Bag Attributes', input: `Bag Attributes\n    localKeyID: 01 02\nsubject=/CN=x\n${pem}`, want: { labels: ['CERTIFICATE'] } },
    { name: 'two blocks', input: pem + toPem('PRIVATE KEY', der), want: { labels: ['CERTIFICATE', 'PRIVATE KEY'] } },
    { name: 'no END line', input: pem.split('-----END')[0]!, want: { error: 'truncated' } },
    { name: 'bad base64', input: pem.replace('MAMCAQU', 'MA*CAQU'), want: { error: 'bad-base64' } },
    { name: 'empty body', input: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', want: { error: 'truncated' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if ('error' in c.want) {
        let err: unknown;
        try { parsePem(c.input, 'x.pem'); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(InputError);
        expect((err as InputError).code).toBe(c.want.error);
        expect((err as InputError).message).toMatch(/^x\.pem: /);
      } else {
        const blocks = parsePem(c.input);
        expect(blocks.map((b) => b.label)).toEqual(c.want.labels);
        expect(blocks[0]!.der).toEqual(der);
      }
    });
  }
});
