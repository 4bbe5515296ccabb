import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { ssh2 } from './ssh2-lib.js';
import { CertbenchError, fail, InputError } from '../errors.js';
import { decode } from '../pki/decode.js';
import { exportPrivateKey } from '../pki/keys.js';

/** A private key in a form ssh2 authenticates with (PKCS#1, SEC1 or OpenSSH PEM), held in memory only. */
export interface SshKey {
  privateKey: string;
  /** Only for keys handed to ssh2 as they were (OpenSSH or PuTTY format), which ssh2 decrypts itself. */
  passphrase?: string;
}

const IDENTITY_FLAG = '--identity';

/**
 * Turns a private key in any encoding certbench reads (PEM or DER: PKCS#8 plain or encrypted, PKCS#1, SEC1, PKCS#12,
 * and OpenSSH/PuTTY files, which ssh2 reads itself) into a key ssh2 takes: RSA as PKCS#1, EC as SEC1, Ed25519 as an
 * unencrypted `openssh-key-v1` PEM. Nothing is written to disk.
 * @throws InputError (`passphrase-required`, `wrong-passphrase`, `wrong-kind`, `unsupported`, ...) naming `file`, never the key
 */
export async function keyForSsh(material: string | Uint8Array, passphrase?: string, file?: string): Promise<SshKey> {
  const label = file ?? IDENTITY_FLAG;
  const text = typeof material === 'string' ? material : Buffer.from(material).toString('latin1');
  if (/-----BEGIN OPENSSH PRIVATE KEY-----|^PuTTY-User-Key-File-/m.test(text)) return passThrough(text, passphrase, label);

  let items;
  try {
    items = await decode(material, { file: label, ...(passphrase === undefined ? {} : { passphrase }) });
  } catch (e) {
    if (e instanceof CertbenchError) throw e;
    return fail('unknown-content', 'the private key cannot be read', label);
  }
  const item = items.find((x) => x.kind === 'private-key');
  if (item?.kind !== 'private-key') {
    return fail('wrong-kind', `expected a private key for SSH login, but the file holds ${describeKinds(items.map((x) => x.kind))}`, label);
  }
  const privateKey = toSsh2Pem(item.key, label);
  // ssh2 must be able to use what we hand it; finding out here names the file instead of failing mid-handshake.
  const parsed = ssh2().utils.parseKey(privateKey);
  if (parsed instanceof Error) fail('unsupported', `this key cannot be used for SSH login (${parsed.message})`, label);
  return { privateKey };
}

function passThrough(text: string, passphrase: string | undefined, label: string): SshKey {
  const parsed = ssh2().utils.parseKey(text, passphrase);
  if (parsed instanceof Error) {
    const msg = parsed.message;
    if (/no passphrase/i.test(msg)) fail('passphrase-required', 'the SSH key is encrypted: give its passphrase', label);
    if (/bad passphrase|decrypt|integrity check/i.test(msg)) fail('wrong-passphrase', 'the passphrase does not decrypt this SSH key', label);
    fail('unsupported', `the SSH key cannot be read (${msg})`, label);
  }
  const keys = Array.isArray(parsed) ? parsed : [parsed];
  if (keys.length === 0 || !keys.every((k) => k.isPrivateKey())) fail('wrong-kind', 'expected a private key for SSH login', label);
  return passphrase === undefined ? { privateKey: text } : { privateKey: text, passphrase };
}

function toSsh2Pem(key: KeyObject, label: string): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return exportPrivateKey(key, { format: 'pkcs1' }) as string;
    case 'ec':
      return exportPrivateKey(key, { format: 'sec1' }) as string;
    case 'ed25519':
      return ed25519OpenSsh(key);
    default:
      return fail('unsupported', `${key.asymmetricKeyType ?? 'this'} keys cannot be used for SSH login: use an RSA, ECDSA or Ed25519 key`, label);
  }
}

/** PROTOCOL.key `openssh-key-v1`, unencrypted, one Ed25519 key: the only way ssh2 takes an Ed25519 private key. */
function ed25519OpenSsh(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.d === undefined || jwk.x === undefined) throw new InputError('unsupported', 'the Ed25519 key cannot be exported');
  const seed = Buffer.from(jwk.d, 'base64url');
  const pub = Buffer.from(jwk.x, 'base64url');
  const type = Buffer.from('ssh-ed25519');
  const publicBlob = Buffer.concat([sshString(type), sshString(pub)]);
  const check = randomBytes(4);
  const parts = [check, check, sshString(type), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(Buffer.alloc(0))];
  let priv = Buffer.concat(parts);
  // The private section is padded to the cipher block size (8 for "none") with bytes 1, 2, 3, ...
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const blob = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString(Buffer.from('none')),
    sshString(Buffer.from('none')),
    sshString(Buffer.alloc(0)),
    u32(1),
    sshString(publicBlob),
    sshString(priv),
  ]);
  const b64 = blob.toString('base64').replace(/.{1,70}/g, '$&\n');
  seed.fill(0);
  priv.fill(0);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function sshString(b: Buffer): Buffer {
  return Buffer.concat([u32(b.length), b]);
}

function describeKinds(kinds: string[]): string {
  const names = [...new Set(kinds)].map((k) => k.replace('-', ' '));
  return names.length === 0 ? 'nothing usable' : `only ${names.join(' and ')}${kinds.length > 1 ? 's' : ''}`;
}
