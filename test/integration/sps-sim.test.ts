import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpsRequest, type HttpsResponse } from '../../src/core/transport/https.js';
import { openssl, tempDir } from '../helpers/openssl.js';
import { opensslServedSha256, startSpsSim, type SpsSim } from '../helpers/sps-sim.js';

/*
 * Direct checks that the SPS simulator behaves as the vendor text says, so the push tests against it mean
 * something: sessions, transactions, the x509 endpoint's validation and methods, and what a commit serves.
 * Requests go through certbench's httpsRequest pinned to the simulator's certificate (verification stays on).
 */

const pki = (name: string): string => fileURLToPath(new URL(`../fixtures/pki/${name}`, import.meta.url));
const text = (name: string): string => readFileSync(pki(name), 'utf8');
const t = tempDir('certbench-sps-sim-');
// The PKCS#1 forms SPS wants and refuses, made by OpenSSL from the PKCS#8 fixture key.
const pkcs1 = openssl(['rsa', '-in', pki('rsa.key'), '-traditional']);
const pkcs1Encrypted = openssl(['rsa', '-in', pki('rsa.key'), '-traditional', '-aes256', '-passout', 'pass:not-for-sps']);
const NEW_FP = openssl(['x509', '-in', pki('rsa.crt'), '-noout', '-fingerprint', '-sha256']).trim().replace(/^[^=]*=/, '');

let sim: SpsSim;
beforeEach(async () => {
  sim = await startSpsSim({ users: [{ name: 'admin', password: 'right-pw' }], server: { certPem: text('selfsigned.crt'), keyPem: text('rsa.key') } });
});
afterEach(async () => sim.close());
afterAll(() => t.cleanup());

async function api(method: string, path: string, o: { cookie?: string; body?: unknown; auth?: string } = {}): Promise<HttpsResponse & { json: { error?: { type?: string; message?: string }; key?: string; body?: Record<string, unknown> } }> {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = `session_id=${o.cookie}`;
  if (o.auth) headers.authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
  const r = await httpsRequest({ url: `${sim.url}${path}`, trust: { kind: 'pin', sha256: sim.servedSha256() }, method, headers,
    ...(o.body === undefined ? {} : { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }) });
  return { ...r, json: JSON.parse(r.body) as never };
}

async function login(): Promise<string> {
  const r = await api('GET', '/api/authentication', { auth: 'admin:right-pw' });
  expect(r.status).toBe(200);
  const cookie = String(r.headers['set-cookie']);
  const sid = /session_id=([0-9a-f]+)/.exec(cookie)?.[1];
  expect(sid).toMatch(/^[0-9a-f]{40}$/);
  return sid!;
}

const body = (key: string, chain: string[]): unknown => ({ certificate: text('rsa.crt'), private_key: key, issuer_chain: chain });

describe('SPS simulator', () => {
  it('401: Unauthenticated without a session, AuthenticationFailure for a wrong password', async () => {
    const none = await api('GET', '/api/configuration/management/certificates');
    expect(none.status).toBe(401);
    expect(none.json.error?.type).toBe('Unauthenticated');
    const forged = await api('GET', '/api/configuration/management/certificates', { cookie: 'a1f71d030e657634730b9e887cb59a5e56162860' });
    expect(forged.status).toBe(401);
    const bad = await api('GET', '/api/authentication', { auth: 'admin:wrong-pw' });
    expect(bad.status).toBe(401);
    expect(bad.json.error?.type).toBe('AuthenticationFailure');
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('405 on the x509 collection and on changing an object; 404 for an unknown key', async () => {
    const sid = await login();
    const list = await api('GET', '/api/configuration/x509', { cookie: sid });
    expect(list.status).toBe(405);
    expect(list.json.error?.type).toBe('MethodNotAllowed');
    const key = sim.committed().server;
    expect((await api('DELETE', `/api/configuration/x509/${key}`, { cookie: sid })).status).toBe(405);
    expect((await api('PUT', `/api/configuration/x509/${key}`, { cookie: sid, body: {} })).status).toBe(405);
    const unknown = await api('GET', '/api/configuration/x509/00000000-0000-0000-0000-000000000000', { cookie: sid });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.type).toBe('NotFound');
  });

  it('changes need an open transaction', async () => {
    const sid = await login();
    const r = await api('POST', '/api/configuration/x509', { cookie: sid, body: body(pkcs1, [text('int.crt')]) });
    expect(r.status).toBe(400);
    expect(sim.transactionOpen()).toBe(false);
  });

  const refusals = [
    { name: 'a PKCS#8 key', input: () => body(text('rsa.key'), [text('int.crt')]), want: /only PKCS-1 is supported\. Encrypted private keys are not supported/ },
    { name: 'an encrypted PKCS#1 key', input: () => body(pkcs1Encrypted, [text('int.crt')]), want: /only PKCS-1 is supported\. Encrypted private keys are not supported/ },
    { name: 'a key of another certificate', input: () => body(openssl(['rsa', '-in', pki('other.key'), '-traditional']), [text('int.crt')]), want: /does not match/ },
    { name: 'a chain whose first certificate did not sign the leaf', input: () => body(pkcs1, [text('root.crt')]), want: /Invalid issuer chain: issuer_chain\[0\]/ },
    { name: 'a chain out of order', input: () => body(pkcs1, [text('root.crt'), text('int.crt')]), want: /Invalid issuer chain/ },
  ];
  it.each(refusals)('400 SyntacticError for $name', async ({ input, want }) => {
    const sid = await login();
    expect((await api('POST', '/api/transaction', { cookie: sid, body: '' })).status).toBe(200);
    const r = await api('POST', '/api/configuration/x509', { cookie: sid, body: input() });
    expect(r.status).toBe(400);
    expect(r.json.error?.type).toBe('SyntacticError');
    expect(r.json.error?.message).toMatch(want);
  });

  it('stores a good object, reports its SHA-256, and a commit serves it and deletes the replaced one', async () => {
    const sid = await login();
    const oldServer = sim.committed().server;
    await api('POST', '/api/transaction', { cookie: sid, body: '' });
    const created = await api('POST', '/api/configuration/x509', { cookie: sid, body: body(pkcs1, [text('int.crt'), text('root.crt')]) });
    expect(created.status).toBe(201);
    const key = created.json.key!;
    const stored = await api('GET', `/api/configuration/x509/${key}`, { cookie: sid });
    expect(stored.json.body?.fingerprint).toEqual({ digest: NEW_FP.toLowerCase(), hash_algorithm: 'sha256' });
    expect(stored.json.body?.subject).toBe('C=US/ST=California/L=Sunnyvale/O=Certbench Lab/OU=Network/CN=router1.example.net');

    const current = await api('GET', '/api/configuration/management/certificates', { cookie: sid });
    const settings = current.json.body as { ca: { x509_identity: { key: string } }; tsa: { key: string } };
    // A reference sent back as {key, meta} is refused: PUT takes plain keys.
    const withMeta = await api('PUT', '/api/configuration/management/certificates', { cookie: sid, body: { ...settings, server: { key, meta: {} } } });
    expect(withMeta.status).toBe(400);
    const dangling = await api('PUT', '/api/configuration/management/certificates', { cookie: sid,
      body: { ca: { selection: 'identity', x509_identity: 'nope' }, server: key, tsa: settings.tsa.key } });
    expect(dangling.status).toBe(400);
    const put = await api('PUT', '/api/configuration/management/certificates', { cookie: sid,
      body: { ca: { selection: 'identity', x509_identity: settings.ca.x509_identity.key }, server: key, tsa: settings.tsa.key } });
    expect(put.status).toBe(200);
    expect(await opensslServedSha256(sim.port)).not.toBe(NEW_FP);
    expect(sim.commits).toBe(0);

    expect((await api('PUT', '/api/transaction', { cookie: sid, body: { status: 'commit' } })).status).toBe(200);
    expect(sim.commits).toBe(1);
    expect(sim.committed().server).toBe(key);
    expect(sim.x509Keys()).not.toContain(oldServer);
    expect(sim.transactionOpen()).toBe(false);
    expect(await opensslServedSha256(sim.port)).toBe(NEW_FP);
    expect(sim.servedSha256()).toBe(NEW_FP);
  });

  it('DELETE /api/transaction throws the changes away', async () => {
    const sid = await login();
    const before = sim.committed();
    await api('POST', '/api/transaction', { cookie: sid, body: '' });
    const created = await api('POST', '/api/configuration/x509', { cookie: sid, body: body(pkcs1, [text('int.crt')]) });
    expect(created.status).toBe(201);
    expect(sim.transactionOpen()).toBe(true);
    expect((await api('DELETE', '/api/transaction', { cookie: sid })).status).toBe(200);
    expect(sim.transactionOpen()).toBe(false);
    expect(sim.committed()).toEqual(before);
    expect((await api('GET', `/api/configuration/x509/${created.json.key!}`, { cookie: sid })).status).toBe(404);
  });
});
