import { describe, expect, it } from 'vitest';
import { checkChain } from '../../src/core/pki/chain.js';
import { InputError } from '../../src/core/errors.js';
import { opensslTry } from '../helpers/openssl.js';
import { usePki } from '../helpers/fixtures.js';

const pki = usePki();

function der(name: string): Uint8Array {
  const text = pki().text(name);
  return new Uint8Array(Buffer.from(text.split('-----')[2]!.replace(/\s+/g, ''), 'base64'));
}

// The leaf with the last byte of its signature changed: still parses, no longer verifies.
function badSignatureLeaf(): Uint8Array {
  const d = Buffer.from(pki().read('leaf.crt.der'));
  d[d.length - 1] = d[d.length - 1]! ^ 0x01;
  return new Uint8Array(d);
}

type Want = { ordered: boolean; complete: boolean; problems: string[] };

describe('checkChain', () => {
  const cases: { name: string; input: () => Uint8Array[]; want: Want }[] = [
    { name: 'leaf, intermediate, root', input: () => [der('leaf.crt'), der('int.crt'), der('root.crt')], want: { ordered: true, complete: true, problems: [] } },
    { name: 'leaf, intermediate (root left out)', input: () => [der('leaf.crt'), der('int.crt')], want: { ordered: true, complete: false, problems: ['chain-incomplete[info]'] } },
    { name: 'reversed: root, intermediate, leaf', input: () => [der('root.crt'), der('int.crt'), der('leaf.crt')], want: { ordered: false, complete: true, problems: ['chain-out-of-order[error]'] } },
    { name: 'intermediate, leaf, root', input: () => [der('int.crt'), der('leaf.crt'), der('root.crt')], want: { ordered: false, complete: true, problems: ['chain-out-of-order[error]'] } },
    { name: 'missing intermediate: leaf, root', input: () => [der('leaf.crt'), der('root.crt')], want: { ordered: true, complete: false, problems: ['chain-incomplete[error]'] } },
    { name: 'root alone', input: () => [der('root.crt')], want: { ordered: true, complete: true, problems: [] } },
    { name: 'leaf alone', input: () => [der('leaf.crt')], want: { ordered: true, complete: false, problems: ['chain-incomplete[info]'] } },
    { name: 'bad leaf signature', input: () => [badSignatureLeaf(), der('int.crt'), der('root.crt')], want: { ordered: true, complete: false, problems: ['chain-signature-invalid[error]'] } },
    { name: 'bad leaf signature, out of order', input: () => [der('int.crt'), badSignatureLeaf(), der('root.crt')], want: { ordered: false, complete: false, problems: ['chain-out-of-order[error]', 'chain-signature-invalid[error]'] } },
    { name: 'nothing', input: () => [], want: { ordered: true, complete: false, problems: ['chain-incomplete[error]'] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = checkChain(c.input());
      expect({ ordered: r.ordered, complete: r.complete, problems: r.problems.map((f) => `${f.code}[${f.severity}]`) }).toEqual(c.want);
    });
  }

  it('out-of-order names the right order', () => {
    const r = checkChain([der('root.crt'), der('int.crt'), der('leaf.crt')]);
    expect(r.problems[0]!.message).toMatch(/#3 \(.*host\.example\.com.*\) -> #2 \(.*Intermediate.*\) -> #1 \(.*Root/);
  });

  it('missing intermediate names the missing issuer', () => {
    const r = checkChain([der('leaf.crt'), der('root.crt')]);
    expect(r.problems[0]!.message).toContain('Certbench Test Intermediate CA');
  });

  it('agrees with openssl verify', () => {
    const ok = opensslTry(['verify', '-CAfile', pki().path('root.crt'), '-untrusted', pki().path('int.crt'), pki().path('leaf.crt')]);
    expect(ok.status).toBe(0);
    expect(checkChain([der('leaf.crt'), der('int.crt'), der('root.crt')]).complete).toBe(true);
    const missing = opensslTry(['verify', '-CAfile', pki().path('root.crt'), pki().path('leaf.crt')]);
    expect(missing.status).not.toBe(0);
    expect(checkChain([der('leaf.crt'), der('root.crt')]).complete).toBe(false);
  });

  it('a non-certificate element -> unknown-content', () => {
    let err: unknown;
    try { checkChain([der('leaf.crt'), new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05])]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('unknown-content');
    expect((err as InputError).message).toContain('#2');
  });
});
