import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { fail } from '../errors.js';
import { describeKey, exportPublicKeyPem, keyInfo } from '../pki/keys.js';
import type { Bundle, Finding, FormatParams, TargetFile } from './types.js';

/** A public JSON Web Key (RFC 7517) as certbench writes it; members are strings or string arrays. */
export type Jwk = Record<string, string | string[]>;

// RFC 7638 section 3.2 (RSA, EC, oct) and RFC 8037 section 2 (OKP): the members a thumbprint covers.
const REQUIRED_MEMBERS: Record<string, string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * RFC 7638 JWK thumbprint: base64url SHA-256 of the key's required members, in lexicographic order,
 * as JSON without whitespace; optional members (kid, use, alg, x5c...) do not change it.
 * @throws InputError `unsupported` for an unknown `kty`, `invalid-value` when a required member is missing
 */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED_MEMBERS[kty] : undefined;
  if (!members) fail('unsupported', `JWK key type "${String(kty)}" has no RFC 7638 thumbprint (RSA, EC, OKP and oct do)`);
  const canonical: Record<string, string> = {};
  for (const m of members) {
    const v = jwk[m];
    if (typeof v !== 'string' || v.length === 0) fail('invalid-value', `the ${kty} JWK has no "${m}" member, which its thumbprint needs`);
    canonical[m] = v;
  }
  // The members are listed sorted and the values are base64url or plain names, so JSON.stringify
  // produces exactly RFC 7638's form (no whitespace, no escapes needed).
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

const DISPLAY_ORDER: Record<string, string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };
const EC_ALGS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/**
 * The public JWK of the bundle's key with `kid` (its RFC 7638 thumbprint), `use`, `alg`, `x5c`
 * (leaf then chain) and `x5t#S256` (the leaf's SHA-256, base64url).
 * @throws InputError `refused` for an RSA-PSS key (no JWK form in Node), `unsupported` for other key types
 */
export function bundleJwk(b: Bundle): Jwk {
  const info = keyInfo(b.key);
  if (b.key.asymmetricKeyType === 'rsa-pss') {
    fail('refused', `cannot format for sdcloud: ${b.files.key} holds an RSA-PSS key; JWKs for RS256 need a plain RSA key`);
  }
  const pub = createPublicKey(b.key).export({ format: 'jwk' }) as Record<string, string>;
  const alg = info.algorithm === 'rsa' ? 'RS256' : info.algorithm === 'ecdsa' ? EC_ALGS[info.curve ?? ''] : 'EdDSA';
  if (!alg) fail('unsupported', `no JWS algorithm is defined for ${b.files.key}'s key`);
  // kty first, then the key's own members in the order RFC 7517's examples show them.
  const jwk: Jwk = { kty: pub.kty! };
  for (const m of DISPLAY_ORDER[pub.kty ?? ''] ?? []) if (pub[m] !== undefined) jwk[m] = pub[m];
  jwk.kid = jwkThumbprint(pub);
  jwk.use = 'sig';
  jwk.alg = alg;
  jwk.x5c = [b.cert, ...b.chain].map((der) => Buffer.from(der).toString('base64'));
  jwk['x5t#S256'] = createHash('sha256').update(b.cert).digest('base64url');
  return jwk;
}

/**
 * Formats a bundle for Juniper Security Director Cloud's OAuth server settings: the public key as
 * PEM, a JWK Set to host as the jwks_uri, and notes on where each goes. Nothing secret is written.
 * Assumes {@link preflight} has accepted the bundle.
 * @throws InputError `refused` for an RSA-PSS key
 */
export function formatSdcloud(b: Bundle, _p: FormatParams): { files: TargetFile[]; warnings: Finding[] } {
  const jwk = bundleJwk(b);
  const leaf = new X509Certificate(b.cert);
  const publicPem = exportPublicKeyPem(b.key);
  const files: TargetFile[] = [
    { name: 'public-key.pem', content: publicPem, secret: false,
      description: 'the public key (SubjectPublicKeyInfo PEM): the OAuth server\'s Public Key as a PEM file' },
    { name: 'jwks.json', content: `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`, secret: false,
      description: 'the JWK Set (RFC 7517) to host at an https URL and give as the OAuth server\'s JWKS URI' },
    { name: 'sdcloud-notes.txt', content: notes(jwk, leaf, describeKey(keyInfo(b.key))), secret: false,
      description: 'where each file goes in Security Director Cloud, and the API request headers' },
  ];
  const warnings: Finding[] = [];
  if (jwk.alg !== 'RS256') {
    warnings.push({ severity: 'warning', code: 'sdcloud-not-rs256',
      message: `the key signs ${String(jwk.alg)} tokens; Okta and Entra ID (the identity providers Security Director Cloud lists) sign with RS256, ` +
        'and the Security Director Cloud documentation names no other algorithm: use an RSA key unless you know it accepts this one' });
  }
  return { files, warnings };
}


function notes(jwk: Jwk, leaf: X509Certificate, keyDesc: string): string {
  return [
    'Juniper Security Director Cloud: OAuth server public key',
    'Made by certbench. Replace every <placeholder>.',
    '',
    `Key:         ${keyDesc}, signs ${String(jwk.alg)} tokens`,
    `kid:         ${String(jwk.kid)} (its RFC 7638 thumbprint; tokens signed with this key should carry it in their header)`,
    `Certificate: ${leaf.subject.split('\n').join(', ')}`,
    `x5t#S256:    ${String(jwk['x5t#S256'])}`,
    '',
    'Where each file goes',
    '  Administration > API Security > OAuth Servers tab > add an OAuth server:',
    '  - Name:       a name for this identity provider',
    '  - Issuer:     <issuer>, exactly the "iss" claim of the tokens your identity provider signs with this key',
    '  - Public Key: either upload public-key.pem as the PEM file,',
    '                or host jwks.json at an https URL (for example https://<host>/.well-known/jwks.json)',
    '                and give that URL as the JWKS URI (jwks_uri).',
    '  Security Director Cloud lists Okta and Entra ID (Azure AD) as the supported identity providers; the',
    '  key here must be the one that provider signs tokens with. The private key never goes to Security',
    '  Director Cloud. The roles your provider assigns must also exist in Security Director Cloud.',
    '',
    'Calling the API',
    '  Every request carries one of these HTTP headers:',
    '    x-api-key: <key>          an API key made under Administration > API Security > API Keys',
    '    x-oauth2-token: <token>   a token from your identity provider, signed with this key',
    '  For example:',
    '    curl -H "x-oauth2-token: <token>" https://<security-director-cloud-api-url>',
    '',
  ].join('\n');
}
