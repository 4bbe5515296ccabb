import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../src/core/pki/decode.js';
import { describeMatch, match, mismatched } from '../../src/core/pki/match.js';
import type { DecodedItem } from '../../src/core/pki/types.js';
import { opensslKeySpkiSha256, PASSPHRASE, usePki } from '../helpers/fixtures.js';

const pki = usePki();

async function load(files: string[]): Promise<DecodedItem[]> {
  const out: DecodedItem[] = [];
  for (const f of files) out.push(...(await decodeFile(pki().path(f), { passphrase: PASSPHRASE, file: f })));
  return out;
}

describe('match', () => {
  const cases: { name: string; input: string[]; want: { match: boolean; kinds: string[]; differs?: string[] } }[] = [
    { name: 'key, cert, CSR (PEM)', input: ['leaf.key', 'leaf.crt', 'leaf.csr'], want: { match: true, kinds: ['private-key', 'certificate', 'csr'] } },
    { name: 'key, cert, CSR (DER)', input: ['leaf.pkcs1.der', 'leaf.crt.der', 'leaf.csr.der'], want: { match: true, kinds: ['private-key', 'certificate', 'csr'] } },
    { name: 'encrypted key with a full-chain bundle (chain ignored)', input: ['leaf.enc.pem', 'fullchain.pem'], want: { match: true, kinds: ['private-key', 'certificate'] } },
    { name: 'legacy key, CRLF bundle, DER CSR', input: ['leaf.legacy.pem', 'fullchain.crlf.pem', 'leaf.csr.der'], want: { match: true, kinds: ['private-key', 'certificate', 'csr'] } },
    { name: 'PKCS#12 alone (its key and leaf)', input: ['leaf.p12'], want: { match: true, kinds: ['private-key', 'certificate'] } },
    { name: 'PKCS#12 with a NEW CERTIFICATE REQUEST and PKCS#8 DER', input: ['leaf.p12', 'leaf.newreq.pem', 'leaf.pkcs8.der'], want: { match: true, kinds: ['private-key', 'certificate', 'csr', 'private-key'] } },
    { name: 'Bag Attributes PEM (leaf first, key last)', input: ['bag.pem'], want: { match: true, kinds: ['certificate', 'private-key'] } },
    { name: 'EC key with its self-signed cert and CSR', input: ['ec.sec1.der', 'selfsigned.crt', 'selfsigned.csr'], want: { match: true, kinds: ['private-key', 'certificate', 'csr'] } },
    { name: 'public keys are left out', input: ['leaf.pub.pem', 'leaf.key', 'leaf.crt'], want: { match: true, kinds: ['private-key', 'certificate'] } },
    { name: 'other key against cert and CSR', input: ['other.key', 'leaf.crt', 'leaf.csr'], want: { match: false, kinds: ['private-key', 'certificate', 'csr'], differs: ['other.key'] } },
    { name: 'other CSR against key and cert', input: ['leaf.key', 'leaf.crt', 'other.csr'], want: { match: false, kinds: ['private-key', 'certificate', 'csr'], differs: ['other.csr'] } },
    { name: 'bundle in the wrong order: its first cert is the root', input: ['leaf.key', 'reversed.pem'], want: { match: false, kinds: ['private-key', 'certificate'], differs: ['reversed.pem'] } },
    { name: 'PKCS#12 against an unrelated cert', input: ['leaf.p12', 'selfsigned.crt'], want: { match: false, kinds: ['private-key', 'certificate', 'certificate'], differs: ['selfsigned.crt'] } },
    { name: 'one item is not a match', input: ['leaf.crt'], want: { match: false, kinds: ['certificate'] } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = match(await load(c.input));
      expect(r.match).toBe(c.want.match);
      expect(r.items.map((i) => i.kind)).toEqual(c.want.kinds);
      for (const i of r.items) expect(Object.keys(i).sort()).toEqual(['file', 'kind', 'spkiSha256']);
      if (c.want.differs) {
        expect([...new Set(mismatched(r).map((i) => i.file))]).toEqual(c.want.differs);
        for (const f of c.want.differs) expect(describeMatch(r)).toContain(f);
      } else if (c.want.match) {
        expect(mismatched(r)).toEqual([]);
        expect(describeMatch(r)).toMatch(/share one public key/);
      }
    });
  }

  it('hashes are the ones OpenSSL computes', async () => {
    const r = match(await load(['leaf.key', 'leaf.crt', 'leaf.csr', 'other.key']));
    const leaf = opensslKeySpkiSha256(pki().path('leaf.key'));
    const other = opensslKeySpkiSha256(pki().path('other.key'));
    expect(r.items.map((i) => i.spkiSha256)).toEqual([leaf, leaf, leaf, other]);
  });

  it('JSON shape', async () => {
    const r = match(await load(['leaf.key', 'leaf.crt']));
    expect(JSON.parse(JSON.stringify(r))).toEqual({
      match: true,
      items: [
        { file: 'leaf.key', kind: 'private-key', spkiSha256: r.items[0]!.spkiSha256 },
        { file: 'leaf.crt', kind: 'certificate', spkiSha256: r.items[0]!.spkiSha256 },
      ],
    });
  });
});

describe('describeMatch over many files', () => {
  it('names the first ten odd items and counts the rest', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ file: `f${i}.pem`, kind: 'certificate' as const, spkiSha256: i < 15 ? 'a' : 'b' }));
    const msg = describeMatch({ match: false, items });
    expect(msg).toContain('certificate in f9.pem');
    expect(msg).not.toContain('f10.pem');
    expect(msg).toMatch(/and 5 more do not match/);
  });
});
