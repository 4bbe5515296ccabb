import { z } from 'zod';
import type { Channel } from './channels.js';

export { channels, type Channel } from './channels.js';

/*
 * The one IPC contract: channel -> request schema and response schema. Preload and main are
 * derived from it; payloads are plain data only (PEM text, base64, strings, numbers, plain objects).
 *
 * Private keys stay in main: the renderer gets a `keyId` for each key it generated or opened and
 * sends that id back. No response ever carries private key material.
 */

// Twice the core's 1 MiB input limit, base64-encoded: a file a little over the limit still reaches the
// core and gets its own `too-large` error instead of failing the whole request.
const MAX_FILE_BASE64 = Math.ceil((2 * 1024 * 1024 * 4) / 3) + 4;

export const keyInfoSchema = z.object({
  algorithm: z.enum(['rsa', 'ecdsa', 'ed25519']),
  bits: z.number(),
  curve: z.string().optional(),
});
export const findingSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  code: z.string(),
  message: z.string(),
});
/** A file handed over from the renderer (drag-and-drop or paste); pasted text is named "pasted text". */
export const inputFileSchema = z.object({
  name: z.string().min(1).max(255),
  dataBase64: z.string().max(MAX_FILE_BASE64),
});
export const subjectAttrSchema = z.object({
  type: z.enum(['C', 'ST', 'L', 'O', 'OU', 'CN', 'emailAddress']),
  value: z.string().max(1024),
});
export const sanSchema = z.object({ type: z.enum(['DNS', 'IP', 'email', 'URI']), value: z.string().max(2048) });
export const targetSchema = z.enum(['junos', 'apstra', 'sps', 'sdcloud']);

/** One decoded item as the renderer sees it: what `certbench inspect` shows, never key material. */
export const itemViewSchema = z.object({
  /** Session id of the item in main; pass it back to match, format, save. */
  id: z.string(),
  file: z.string(),
  index: z.number(),
  kind: z.enum(['certificate', 'csr', 'private-key', 'public-key']),
  container: z.enum(['pem', 'der', 'pkcs12']),
  subject: z.string().optional(),
  issuer: z.string().optional(),
  serial: z.string().optional(),
  san: z.array(z.string()).optional(),
  key: keyInfoSchema,
  signatureAlgorithm: z.string().optional(),
  notBefore: z.string().optional(),
  notAfter: z.string().optional(),
  daysLeft: z.number().optional(),
  sha1: z.string().optional(),
  sha256: z.string().optional(),
  spkiSha256: z.string(),
  isCa: z.boolean().optional(),
  selfSigned: z.boolean().optional(),
  keyUsage: z.array(z.string()).optional(),
  extendedKeyUsage: z.array(z.string()).optional(),
  encoding: z.string().optional(),
  findings: z.array(findingSchema),
  /** PEM of certificates, CSRs and public keys (for copy and save); absent for private keys. */
  pem: z.string().optional(),
});
/** A file that could not be read, with the core's error code and message. */
export const fileErrorSchema = z.object({ file: z.string(), code: z.string(), message: z.string() });
export const decodeResultSchema = z.object({
  items: z.array(itemViewSchema),
  errors: z.array(fileErrorSchema),
});
export const matchViewSchema = z.object({
  match: z.boolean(),
  /** One line for people, as `certbench match` says it. */
  message: z.string(),
  items: z.array(z.object({ id: z.string(), file: z.string(), kind: z.enum(['private-key', 'certificate', 'csr']), spkiSha256: z.string(), differs: z.boolean() })),
});
export const templateSchema = z.object({
  subject: z.array(subjectAttrSchema),
  sans: z.array(sanSchema),
  keyUsage: z.array(z.string()),
  extendedKeyUsage: z.array(z.string()),
});
export const templateInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['shipped', 'saved']),
  /** The {{placeholders}} it asks for, in order of first use. */
  variables: z.array(z.string()),
});
const saved = z.object({ canceled: z.boolean(), path: z.string().optional() });
const formatRequest = z.object({
  target: targetSchema,
  keyId: z.string(),
  /** Item id of the leaf certificate. */
  certId: z.string(),
  /** Item ids of the chain certificates, leaf-side first. */
  chainIds: z.array(z.string()).max(16),
  csrId: z.string().optional(),
  /** The Junos certificate-id. */
  junosCertId: z.string().max(63).optional(),
});
const csrFields = z.object({
  subject: z.array(subjectAttrSchema).min(1).max(32),
  sans: z.array(sanSchema).max(256),
  keyUsage: z.array(z.string()).optional(),
  extendedKeyUsage: z.array(z.string()).optional(),
});

// A failure inside a result (same shape as the envelope's error).
const pushErrorSchema = z.object({ code: z.string(), message: z.string() });
/** The kinds of device a profile can push to: Apstra (SSH + SFTP), Junos (NETCONF over SSH), One Identity SPS (HTTPS REST). */
export const deviceTargetSchema = z.enum(['apstra', 'junos', 'sps']);
/** How certbench logs in over SSH: a saved password, a private key file (with an optional saved passphrase), or ssh-agent. SPS takes a password only. */
export const sshAuthMethodSchema = z.enum(['password', 'key-file', 'agent']);
/** The Junos HTTPS services a certificate is bound to: the REST API and J-Web. */
export const junosBindingSchema = z.enum(['rest', 'web']);
/** Which SPS certificate a push replaces. */
export const spsRoleSchema = z.enum(['server', 'ca', 'tsa']);
// Free text of a profile: bounded here; what it may hold is checked in main with messages for people.
const profileText = (max: number) => z.string().max(max);
// Every target's fields are optional beyond the common ones: the target decides which apply (main drops the others),
// so a devices.json written before Junos and SPS existed loads unchanged.
const deviceFields = z.object({
  name: profileText(100),
  target: deviceTargetSchema,
  host: profileText(255),
  /** SSH port (Apstra 22, Junos 830), or SPS's HTTPS port (443). */
  port: z.number().int(),
  user: profileText(64),
  auth: sshAuthMethodSchema,
  /** Path of the private key file on this computer (auth `key-file`); the key itself is read only at push time. */
  identityFile: profileText(4096).optional(),
  /** The name users browse to (in the certificate's SAN); the host when not given. Apstra and Junos. */
  serverName: profileText(255).optional(),
  nginxDir: profileText(1024).optional(),
  restartCmd: profileText(1000).optional(),
  httpsPort: z.number().int().optional(),
  /**
   * Read and write the nginx folder through `sudo -n` commands instead of SFTP as the login user (Apstra's
   * admin may not write /etc/aos/nginx.conf.d). Off for a new device; absent when changing one keeps the saved setting.
   */
  sudo: z.boolean().optional(),
  /** Junos: the local certificate's certificate-id in the device's PKI store (must not exist there yet). */
  certId: profileText(63).optional(),
  /** Junos: the CA profile the issuing CA is loaded into (optional). */
  caProfile: profileText(63).optional(),
  /** Junos: the services bound to the certificate; at least one. */
  bind: z.array(junosBindingSchema).max(2).optional(),
  /** Junos: `commit confirmed N` minutes, 1-65535 (default 5). */
  confirmMinutes: z.number().int().optional(),
  /** Junos: HTTPS port of the REST API verified after the commit (default 3443). */
  verifyPort: z.number().int().optional(),
  /** Junos: HTTPS port of J-Web verified after the commit (default 443). */
  webPort: z.number().int().optional(),
  /** SPS: which certificate to replace (default server). */
  role: spsRoleSchema.optional(),
});
/** A saved device as the renderer sees it: no password, no passphrase, only whether one is saved. */
export const deviceViewSchema = deviceFields.extend({
  id: z.string(),
  /** Whether the push goes through `sudo -n`; false when never set. */
  sudo: z.boolean().default(false),
  /** The trusted SSH host key, OpenSSH `SHA256:...`; a push is refused until one is trusted (Apstra, Junos). */
  hostKey: z.string().optional(),
  /** SPS: the SHA-256 (`AB:CD:...`) of the web certificate trusted for the HTTPS login; a push is refused until one is trusted. */
  tlsPin: z.string().optional(),
  hasPassword: z.boolean(),
  hasPassphrase: z.boolean(),
  /** ISO 8601 time of the last change. */
  updatedAt: z.string(),
});
const pushStepSchema = z.enum(['preflight', 'connect', 'inspect', 'backup', 'upload', 'activate', 'verify', 'confirm', 'rollback']);
/** One progress event of a push (see src/core/push/types.ts). */
export const pushEventSchema = z.object({
  step: pushStepSchema,
  status: z.enum(['start', 'ok', 'fail', 'skip', 'info']),
  message: z.string(),
  at: z.string(),
  index: z.number(),
  total: z.number(),
});
export const pushOutcomeSchema = z.enum(['pushed', 'planned', 'unchanged', 'rolled-back', 'needs-attention']);
/** The result of a push or a dry run; the events travel separately in push:status. */
export const pushResultSchema = z.object({
  target: z.enum(['apstra', 'junos', 'sps']),
  endpoint: z.string(),
  outcome: pushOutcomeSchema,
  plan: z.array(z.object({ step: pushStepSchema, description: z.string() })),
  warnings: z.array(findingSchema),
  newSha256: z.string(),
  previousSha256: z.string().optional(),
  servedSha256: z.string().optional(),
  backups: z.array(z.string()),
  error: pushErrorSchema.optional(),
});
/** One past push (dry runs are not kept): who, when, how it ended, the fingerprints; never a key or a password. */
export const pushHistoryEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  target: z.string(),
  host: z.string(),
  port: z.number(),
  outcome: pushOutcomeSchema,
  newSha256: z.string(),
  previousSha256: z.string().optional(),
  servedSha256: z.string().optional(),
  /** Junos: the certificate-id the push loaded (or tried to load) into the device's PKI store. */
  certId: z.string().optional(),
  error: pushErrorSchema.optional(),
});

export const contract = {
  'app:info': {
    request: z.object({}).strict(),
    response: z.object({ name: z.string(), version: z.string(), platform: z.string() }),
  },
  /** Generates a key in main (RSA-4096 takes seconds and runs off the main thread). */
  'keys:generate': {
    request: z.object({
      alg: z.enum(['rsa', 'ecdsa', 'ed25519']),
      bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).optional(),
      curve: z.enum(['P-256', 'P-384']).optional(),
    }).strict(),
    response: itemViewSchema,
  },
  /** Saves a key through the native save dialog (mode 0600); encrypted PKCS#8 when a passphrase is given. */
  'keys:save': {
    request: z.object({
      keyId: z.string(),
      format: z.enum(['pkcs8', 'pkcs1', 'sec1']),
      passphrase: z.string().min(1).max(1024).optional(),
    }).strict(),
    response: saved,
  },
  /** Decodes files given by the renderer (dropped or pasted); each bad file is reported, the rest decoded. */
  'items:decode': {
    request: z.object({ files: z.array(inputFileSchema).min(1).max(64), passphrase: z.string().max(1024).optional() }).strict(),
    response: decodeResultSchema,
  },
  /** Opens files through the native dialog and decodes them in main (their bytes never reach the renderer). */
  'items:open': {
    request: z.object({ passphrase: z.string().max(1024).optional() }).strict(),
    response: decodeResultSchema.extend({ canceled: z.boolean() }),
  },
  /** Forgets items (and keys) held in main for this session. */
  'items:forget': {
    request: z.object({ ids: z.array(z.string()).max(1024) }).strict(),
    response: z.object({}),
  },
  /** Whether keys, certificates and CSRs share one public key. */
  'items:match': {
    request: z.object({ ids: z.array(z.string()).min(1).max(1024) }).strict(),
    response: matchViewSchema,
  },
  /** Saves a certificate, CSR or public key as PEM through the native save dialog. */
  'items:save': {
    request: z.object({ id: z.string() }).strict(),
    response: saved,
  },
  /** Checks one SAN value for inline validation; `message` says what is wrong. */
  'san:validate': {
    request: sanSchema.strict(),
    response: z.object({ ok: z.boolean(), message: z.string().optional(), normalized: z.string().optional() }),
  },
  /** Builds and signs a CSR with a key held in main; returns it decoded, with the equivalent OpenSSL config. */
  'csr:build': {
    request: csrFields.extend({ keyId: z.string() }).strict(),
    response: z.object({ pem: z.string(), item: itemViewSchema, opensslConfig: z.string(), opensslCommand: z.string() }),
  },
  /** The OpenSSL req config and command line for the current form, before any key exists. */
  'csr:openssl-config': {
    request: csrFields.extend({ keyPath: z.string().max(255).optional(), csrPath: z.string().max(255).optional() }).strict(),
    response: z.object({ config: z.string(), command: z.string() }),
  },
  /** Shipped (resources/templates) and saved SAN templates. */
  'templates:list': {
    request: z.object({}).strict(),
    response: z.array(templateInfoSchema),
  },
  /** Reads a template's text (shipped or saved). */
  'templates:read': {
    request: z.object({ id: z.string() }).strict(),
    response: z.object({ id: z.string(), name: z.string(), text: z.string(), variables: z.array(z.string()) }),
  },
  /** Parses KB37299-style config text with placeholders filled; `missing` lists unfilled placeholders. */
  'templates:parse': {
    request: z.object({ text: z.string().max(1024 * 1024), vars: z.record(z.string(), z.string().max(1024)) }).strict(),
    response: z.object({ variables: z.array(z.string()), missing: z.array(z.string()), template: templateSchema.optional() }),
  },
  /** Saves a template for reuse (in the app's data folder). */
  'templates:save': {
    request: z.object({ name: z.string().min(1).max(100), text: z.string().max(1024 * 1024) }).strict(),
    response: templateInfoSchema,
  },
  /** Opens a .cnf through the native dialog and returns its text (not yet saved as a template). */
  'templates:import': {
    request: z.object({}).strict(),
    response: z.object({ canceled: z.boolean(), name: z.string().optional(), text: z.string().optional(), variables: z.array(z.string()).optional() }),
  },
  /** The files and commands for a target (`certbench format`); secret files are listed without content. */
  'format:build': {
    request: formatRequest.strict(),
    response: z.object({
      target: targetSchema,
      files: z.array(z.object({ name: z.string(), secret: z.boolean(), description: z.string(), content: z.string().optional() })),
      warnings: z.array(findingSchema),
    }),
  },
  /** Writes a target's files into a folder chosen in the native dialog (keys 0600), all or nothing. */
  'format:save': {
    request: formatRequest.extend({ force: z.boolean().optional() }).strict(),
    response: z.object({ canceled: z.boolean(), dir: z.string().optional(), written: z.array(z.string()) }),
  },
  /** Saves non-secret text (a CSR, a config, a commands file) through the native save dialog. */
  'text:save': {
    request: z.object({ suggestedName: z.string().min(1).max(255), content: z.string().max(4 * 1024 * 1024) }).strict(),
    response: saved,
  },
  /** Copies non-secret text to the system clipboard. */
  'clipboard:write': {
    request: z.object({ text: z.string().max(4 * 1024 * 1024) }).strict(),
    response: z.object({}),
  },
  /** The saved device profiles, by name. */
  'devices:list': {
    request: z.object({}).strict(),
    response: z.array(deviceViewSchema),
  },
  /**
   * Adds a device (no `id`) or changes one. Secrets only travel this way, renderer to main, and are
   * saved encrypted by the OS key store (refused when it is unavailable); an absent password or
   * passphrase keeps the saved one. `hostKey` trusts a key (explicit first use); a different key than
   * the trusted one is refused unless `forgetHostKey` drops the old one first. `tlsPin` / `forgetTlsPin`
   * do the same for an SPS device's HTTPS certificate.
   */
  'devices:save': {
    request: deviceFields.extend({
      id: z.string().max(64).optional(),
      hostKey: z.string().max(128).optional(),
      forgetHostKey: z.boolean().optional(),
      tlsPin: z.string().max(200).optional(),
      forgetTlsPin: z.boolean().optional(),
      password: z.string().max(1024).optional(),
      passphrase: z.string().max(1024).optional(),
      forgetPassphrase: z.boolean().optional(),
    }).strict(),
    response: deviceViewSchema,
  },
  /** Deletes a device and its saved secrets (the push history keeps its past pushes). */
  'devices:delete': {
    request: z.object({ id: z.string().max(64) }).strict(),
    response: z.object({}),
  },
  /** Picks a private key file for SSH through the native open dialog; only its path comes back. */
  'devices:choose-key-file': {
    request: z.object({}).strict(),
    response: saved,
  },
  /**
   * Connects to an SSH server only far enough to see its host key (no login), for the explicit
   * first-use accept; with `kind: 'tls'` (SPS), connects over TLS only far enough to read the certificate
   * it presents (nothing is sent). With `deviceId`, says whether the key or certificate is the one that device trusts.
   */
  'devices:scan-host-key': {
    request: z.object({ kind: z.enum(['ssh', 'tls']).optional(), host: z.string().max(255), port: z.number().int(), deviceId: z.string().max(64).optional() }).strict(),
    response: z.object({
      endpoint: z.string(),
      /** The host key's type (`ssh-ed25519`), or `certificate` for TLS. */
      type: z.string(),
      /** OpenSSH `SHA256:...` of the host key, or the certificate's SHA-256 `AB:CD:...`. */
      fingerprint: z.string(),
      /** `new`: nothing trusted yet; `matches`: the trusted one; `changed`: another than the trusted one. */
      status: z.enum(['new', 'matches', 'changed']),
      trusted: z.string().optional(),
      /** TLS: the presented certificate as people compare it (subject, issuer, validity, SANs). */
      certificate: z.object({
        subject: z.string(),
        issuer: z.string(),
        notBefore: z.string(),
        notAfter: z.string(),
        sans: z.array(z.string()),
        selfSigned: z.boolean(),
      }).optional(),
    }),
  },
  /** Starts a push (or a dry run) of a session key + certificate + chain to a saved device, in the background. */
  'push:start': {
    request: z.object({
      deviceId: z.string().max(64),
      keyId: z.string(),
      certId: z.string(),
      chainIds: z.array(z.string()).max(16),
      dryRun: z.boolean(),
      /**
       * Junos: the certificate-id for this push instead of the profile's "Certificate ID" (the device refuses an id its
       * PKI store already holds, so every push needs a new one). Checked in main as the profile's; `certId` is the certificate item.
       */
      junosCertId: z.string().max(100).optional(),
    }).strict(),
    response: z.object({ jobId: z.string() }),
  },
  /** A push's events from index `since` on, and its result once done (poll it). */
  'push:status': {
    request: z.object({ jobId: z.string().max(64), since: z.number().int().min(0) }).strict(),
    response: z.object({
      jobId: z.string(),
      deviceId: z.string(),
      dryRun: z.boolean(),
      events: z.array(pushEventSchema),
      /** The `since` to ask with next time. */
      next: z.number(),
      done: z.boolean(),
      result: pushResultSchema.optional(),
      /** Why the push could not run at all (bad input), when it ended without a result. */
      error: pushErrorSchema.optional(),
    }),
  },
  /** Cancels a running push; one that already changed files still rolls back. */
  'push:cancel': {
    request: z.object({ jobId: z.string().max(64) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /** The past pushes, newest first. */
  'push:history': {
    request: z.object({}).strict(),
    response: z.array(pushHistoryEntrySchema),
  },
} as const satisfies Record<Channel, { request: z.ZodType; response: z.ZodType }>;

/** A failure as it crosses IPC: the core's error code (or `invalid-request` / `internal`) and a message for people. */
export const ipcErrorSchema = z.object({ code: z.string(), message: z.string() });
export type IpcError = z.output<typeof ipcErrorSchema>;
/** Every channel answers with this envelope, so errors keep their code and words across IPC. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The request type of a channel. */
export type RequestOf<C extends Channel> = z.input<(typeof contract)[C]['request']>;
/** The response type of a channel. */
export type ResponseOf<C extends Channel> = z.output<(typeof contract)[C]['response']>;
/** The API the preload exposes to the renderer: one function per channel, answering with a {@link Result}. */
export type CertbenchApi = { [C in Channel]: (request: RequestOf<C>) => Promise<Result<ResponseOf<C>>> };

export type ItemView = z.output<typeof itemViewSchema>;
export type DecodeResult = z.output<typeof decodeResultSchema>;
export type MatchView = z.output<typeof matchViewSchema>;
export type TemplateInfo = z.output<typeof templateInfoSchema>;
export type SubjectAttrView = z.output<typeof subjectAttrSchema>;
export type SanView = z.output<typeof sanSchema>;
export type Target = z.output<typeof targetSchema>;
export type FindingView = z.output<typeof findingSchema>;
export type DeviceView = z.output<typeof deviceViewSchema>;
export type DeviceTarget = z.output<typeof deviceTargetSchema>;
export type SshAuthMethod = z.output<typeof sshAuthMethodSchema>;
export type JunosBindingView = z.output<typeof junosBindingSchema>;
export type SpsRoleView = z.output<typeof spsRoleSchema>;
export type HostCheckView = z.output<(typeof contract)['devices:scan-host-key']['response']>;
export type PushEventView = z.output<typeof pushEventSchema>;
export type PushResultView = z.output<typeof pushResultSchema>;
export type PushOutcomeView = z.output<typeof pushOutcomeSchema>;
export type PushHistoryEntry = z.output<typeof pushHistoryEntrySchema>;
