import { X509Certificate } from 'node:crypto';
import { fail } from '../../core/errors.js';
import { readInputFileSync } from '../../core/pki/decode.js';
import { parsePem } from '../../core/pki/pem.js';
import { pushSps } from '../../core/push/sps.js';
import type { SpsRole } from '../../core/push/types.js';
import { normalizeSha256 } from '../../core/transport/https.js';
import type { TlsTrust } from '../../core/transport/types.js';
import { passwordFromEnv, readBundle, runPush, seconds, type PushBundleOptions } from '../push-common.js';

interface PushSpsOptions extends PushBundleOptions {
  url: string; ca?: string; pin?: string; user: string; passwordEnv: string;
  role: SpsRole; verifyTimeout: string; dryRun?: boolean; json?: boolean;
}

// The CA file is read and checked here, so a wrong file is exit 2 naming it, not an untrusted SPS later.
function caTrust(path: string): TlsTrust {
  const file = `--ca ${path}`;
  const bytes = readInputFileSync(path, file);
  const text = Buffer.from(bytes).toString('utf8');
  const blocks = text.includes('-----BEGIN ') ? parsePem(text, file) : [];
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE' || b.label === 'X509 CERTIFICATE');
  if (blocks.length === 0) {
    // One DER certificate is a CA file too.
    try {
      return { kind: 'ca', caPem: new X509Certificate(bytes).toString(), file };
    } catch {
      fail('unknown-content', 'holds no certificate (PEM or DER)', file);
    }
  }
  if (certs.length === 0) fail('wrong-kind', `holds ${blocks.map((b) => b.label).join(', ')}, not a CA certificate`, file);
  const pems = certs.map((b, i) => {
    try {
      return new X509Certificate(b.der).toString();
    } catch {
      return fail('unknown-content', `certificate #${i + 1} cannot be read`, file);
    }
  });
  return { kind: 'ca', caPem: pems.join(''), file };
}

/**
 * `certbench push sps`: replaces an SPS certificate over its REST API in one transaction and proves it (served
 * fingerprint for `server`). Exit 0 when pushed (or planned), 1 when the push failed, 2 for bad input.
 */
export async function run(o: PushSpsOptions): Promise<void> {
  if ((o.ca === undefined) === (o.pin === undefined)) {
    fail('invalid-value', 'give exactly one of --ca FILE (the CA that issued SPS\'s current web certificate) or --pin SHA256 (its fingerprint)', '--ca/--pin');
  }
  const trust: TlsTrust = o.ca !== undefined ? caTrust(o.ca) : { kind: 'pin', sha256: normalizeSha256(o.pin!, '--pin') };
  const password = passwordFromEnv(o.passwordEnv);
  const verifyTimeoutMs = seconds(o.verifyTimeout, '--verify-timeout');
  const bundle = await readBundle(o);
  await runPush('push sps', o.json, (signal, onEvent) => pushSps({
    bundle,
    url: o.url,
    trust,
    user: o.user,
    password,
    role: o.role,
    verifyTimeoutMs,
    dryRun: o.dryRun === true,
    signal,
  }, onEvent));
}
