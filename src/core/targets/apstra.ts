import { X509Certificate } from 'node:crypto';
import { InputError } from '../errors.js';
import { isSelfSigned } from '../pki/chain.js';
import { x509 } from '../pki/crypto.js';
import { describeCertificateNames, describeCsr, type San, type SubjectAttr } from '../pki/csr.js';
import { exportPrivateKey, keyInfo } from '../pki/keys.js';
import { writeOpensslCnf, type CsrTemplate } from '../pki/openssl-cnf.js';
import { toPem } from '../pki/pem.js';
import type { Bundle, Finding, FormatParams, TargetFile } from './types.js';
import { serverName } from './names.js';
import { SHELL_FINGERPRINT, SHELL_STEP_DIE } from './shell.js';

/** Where Apstra's nginx reads nginx.crt and nginx.key (the vendor text's folder). */
export const APSTRA_NGINX_DIR = '/etc/aos/nginx.conf.d';

/** The names an OpenSSL config for the next request should carry, and where they were read from. */
interface NameSource {
  template: CsrTemplate;
  from: 'csr' | 'certificate';
  /** Subject attributes or SANs of a kind certbench does not write (they would be lost from the config). */
  dropped: number;
}

// Printable ASCII only: certificate names end up in shell comments, where a newline would become a command.
function forComment(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

function sameNames(a: { subject: SubjectAttr[]; sans: San[] }, b: { subject: SubjectAttr[]; sans: San[] }): boolean {
  const key = (n: { subject: SubjectAttr[]; sans: San[] }): string =>
    JSON.stringify([n.subject.map((s) => `${s.type}=${s.value}`), n.sans.map((s) => `${s.type}:${s.value.toLowerCase()}`).sort()]);
  return key(a) === key(b);
}

function showNames(n: { subject: SubjectAttr[]; sans: San[] }): string {
  const subject = n.subject.map((s) => `${s.type}=${s.value}`).join(', ') || '(empty subject)';
  return `${subject}; SAN ${n.sans.map((s) => `${s.type}:${s.value}`).join(', ') || 'none'}`;
}

// Counts every subject value and every SAN, of any kind, so names certbench skips can be reported.
function countNames(subject: x509.Name, san: x509.Extension | null): number {
  let n = 0;
  for (const rdn of subject.toJSON()) for (const values of Object.values(rdn)) n += values.length;
  if (san) n += new x509.SubjectAlternativeNameExtension(san.rawData).names.items.length;
  return n;
}

function nameSource(b: Bundle): NameSource {
  if (b.csr) {
    const d = describeCsr(b.csr);
    const r = new x509.Pkcs10CertificateRequest(b.csr);
    return {
      template: { subject: d.subject, sans: d.sans, keyUsage: d.keyUsage, extendedKeyUsage: d.extendedKeyUsage, defaultMd: 'sha256' },
      from: 'csr',
      dropped: countNames(r.subjectName, r.getExtension('2.5.29.17')) - d.subject.length - d.sans.length,
    };
  }
  const names = describeCertificateNames(b.cert);
  const c = new x509.X509Certificate(b.cert);
  const rsa = keyInfo(b.key).algorithm === 'rsa';
  return {
    template: {
      subject: names.subject,
      sans: names.sans,
      // What certbench's own CSRs ask for: RSA key exchange needs keyEncipherment, ECDSA only signs.
      keyUsage: rsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
      extendedKeyUsage: ['serverAuth'],
      defaultMd: 'sha256',
    },
    from: 'certificate',
    dropped: countNames(c.subjectName, c.getExtension('2.5.29.17')) - names.subject.length - names.sans.length,
  };
}


/**
 * Formats a bundle for the Apstra server's nginx (vendor text "Replace SSL Certificate on Apstra Server"):
 * nginx.crt (leaf then intermediates, no root), nginx.key (unencrypted PKCS#8), openssl-san.cnf (KB37299
 * layout, for the next request; from the CSR when the bundle has one) and apstra-commands.sh, which installs the files
 * on the server with a backup, restarts nginx, checks the served fingerprint and rolls back when it is wrong.
 * Assumes {@link preflight} has accepted the bundle.
 */
export function formatApstra(b: Bundle, _p: FormatParams): { files: TargetFile[]; warnings: Finding[] } {
  const warnings: Finding[] = [];
  const leaf = new X509Certificate(b.cert);
  const chain = b.chain.map((der) => ({ der, cert: new X509Certificate(der) }));
  const last = chain[chain.length - 1];
  // Clients must already trust the root; serving it only adds bytes to every handshake.
  const rootLeftOut = last !== undefined && isSelfSigned(last.cert);
  const intermediates = rootLeftOut ? chain.slice(0, -1) : chain;
  if (rootLeftOut) {
    warnings.push({ severity: 'info', code: 'apstra-root-left-out',
      message: `nginx.crt leaves out the root CA "${forComment(last.cert.subject.replace(/\n/g, ', '))}": browsers must already trust it` });
  }
  if (chain.length === 0 && !isSelfSigned(leaf)) {
    warnings.push({ severity: 'warning', code: 'apstra-no-intermediate',
      message: `no chain was given, so nginx.crt holds the leaf only: browsers that do not already hold "${forComment(leaf.issuer.replace(/\n/g, ', '))}" will reject the Apstra UI; give the intermediate certificate(s) with the chain` });
  }

  const leafNames = describeCertificateNames(b.cert);
  const hostNames = leafNames.sans.filter((s) => s.type === 'DNS' || s.type === 'IP').map((s) => s.value.toLowerCase());
  for (const cn of leafNames.subject.filter((a) => a.type === 'CN')) {
    if (!hostNames.includes(cn.value.toLowerCase())) {
      warnings.push({ severity: 'warning', code: 'apstra-cn-not-in-san',
        message: `the certificate's CN "${forComment(cn.value)}" is not among its DNS/IP subjectAltNames, so a browser opening https://${forComment(cn.value)}/ rejects the Apstra UI (the vendor's last step checks exactly that); ask the CA for a certificate that lists it${b.csr ? '' : ', adding it to [alt_names] in openssl-san.cnf'}` });
    }
  }

  const source = nameSource(b);
  if (source.from === 'csr' && !sameNames(source.template, leafNames)) {
    warnings.push({ severity: 'warning', code: 'apstra-csr-names-differ',
      message: `the CA issued other names than the CSR asked for; openssl-san.cnf follows the CSR (${forComment(showNames(source.template))}), the certificate has ${forComment(showNames(leafNames))}` });
  }
  if (source.dropped > 0) {
    warnings.push({ severity: 'warning', code: 'apstra-cnf-names-dropped',
      message: `the ${source.from === 'csr' ? 'CSR' : 'certificate'} has ${source.dropped} subject attribute(s) or alternative name(s) of a kind certbench does not write (only C, ST, L, O, OU, CN, emailAddress and DNS, IP, email, URI names); openssl-san.cnf leaves them out` });
  }
  let cnf: string | undefined;
  try {
    cnf = writeOpensslCnf(source.template);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    warnings.push({ severity: 'warning', code: 'apstra-cnf-skipped',
      message: `openssl-san.cnf was not written: the ${source.from === 'csr' ? 'CSR' : 'certificate'}'s names cannot be put in an OpenSSL config (${e.message}); the other files are complete` });
  }

  const fingerprint = leaf.fingerprint256;
  const files: TargetFile[] = [
    {
      name: 'nginx.crt',
      content: [b.cert, ...intermediates.map((c) => c.der)].map((der) => toPem('CERTIFICATE', der)).join(''),
      secret: false,
      description: `Certificate then ${intermediates.length} intermediate(s), no root: goes to ${APSTRA_NGINX_DIR}/nginx.crt (apstra-commands.sh installs it)`,
    },
    {
      name: 'nginx.key',
      content: exportPrivateKey(b.key, { format: 'pkcs8' }) as string,
      secret: true,
      description: `Unencrypted private key (PKCS#8): goes to ${APSTRA_NGINX_DIR}/nginx.key with mode 0600; delete the working copy afterwards`,
    },
  ];
  if (cnf !== undefined) {
    files.push({
      name: 'openssl-san.cnf',
      content: [
        `# For the Apstra HTTPS certificate (Juniper KB37299): the subject and SANs of the ${source.from === 'csr' ? 'CSR' : 'installed certificate'}.`,
        `# Keep it OUT of ${APSTRA_NGINX_DIR}: nginx loads every *.conf file there and fails to start.`,
        '# Next request: openssl req -new -key nginx.key -config openssl-san.cnf -out nginx.csr',
        '',
        cnf,
      ].join('\n'),
      secret: false,
      description: `OpenSSL request config (KB37299 layout) with the ${source.from === 'csr' ? "CSR's" : "certificate's"} subject and SANs, for renewing; keep it out of ${APSTRA_NGINX_DIR}`,
    });
  }
  files.push({
    name: 'apstra-commands.sh',
    content: apstraScript({
      fingerprint,
      serverName: serverName(leafNames),
      subject: forComment(leaf.subject.replace(/\n/g, ', ')),
      notAfter: forComment(leaf.validTo),
    }),
    secret: false,
    description: 'Run on the Apstra server from a working folder holding the files: checks them, backs up, installs, restarts nginx, verifies, rolls back on failure',
  });
  return { files, warnings };
}

interface ScriptParams {
  /** Colon-separated uppercase hex, as `openssl x509 -fingerprint` prints it. */
  fingerprint: string;
  serverName: string;
  subject: string;
  notAfter: string;
}

// Bash text: `\${` and `\\` below are the template literal's escapes for `${` and `\`.
function apstraScript(p: ScriptParams): string {
  const host = p.serverName || 'apstra.example.net';
  return `#!/usr/bin/env bash
# Installs a new HTTPS certificate for the Apstra UI and REST API (written by certbench).
#   Certificate: ${p.subject}
#   Valid until: ${p.notAfter}
#   SHA-256 fingerprint: ${p.fingerprint}
#
# 1. Copy the files to a working folder on the Apstra server (NOT into ${APSTRA_NGINX_DIR}):
#      ssh admin@${host} 'mkdir -p certbench'
#      scp nginx.crt nginx.key apstra-commands.sh admin@${host}:certbench/
#    (copy the request as nginx.csr too, and the script checks that it matches the key as well)
# 2. Run this script there; it asks sudo for your password:
#      ssh -t admin@${host} 'cd certbench && bash apstra-commands.sh'
# 3. Afterwards delete nginx.key from the working folder; nginx uses the installed copy.
#
# Steps: check that nginx.key, nginx.crt (and nginx.csr, when present) belong together; back up the
# current nginx.crt/nginx.key beside them with a timestamp; install the new files under exactly those
# names (a temp name, then mv); restart the nginx container; wait until HTTPS serves the new
# fingerprint. If anything fails after the backup, the backup is put back and nginx restarted again.
# It never puts a *.conf file into ${APSTRA_NGINX_DIR} (nginx would load it and fail).
#
# Settings (environment variables):
#   NGINX_DIR     folder with nginx.crt and nginx.key        [${APSTRA_NGINX_DIR}]
#   RESTART_CMD   restarts the nginx container                [docker restart aos_nginx_1]
#   SUDO          prefix for root commands; empty when root   [sudo]
#   HOST          where to check the served certificate       [localhost]
#   HTTPS_PORT                                                [443]
#   SERVERNAME    TLS server name sent when checking          [${p.serverName}]
#   VERIFY        1: check the served certificate, roll back if it is not the new one; 0: skip [1]
#   VERIFY_TRIES, VERIFY_DELAY   how often and how many seconds apart to check [30, 2]
# Exit status: 0 installed; 1 refused (files do not belong together) or failed and rolled back; 2 usage.
set -euo pipefail

NGINX_DIR="\${NGINX_DIR:-${APSTRA_NGINX_DIR}}"
RESTART_CMD="\${RESTART_CMD:-docker restart aos_nginx_1}"
SUDO="\${SUDO-sudo}"
HOST="\${HOST:-localhost}"
HTTPS_PORT="\${HTTPS_PORT:-443}"
SERVERNAME="\${SERVERNAME-${p.serverName}}"
VERIFY="\${VERIFY:-1}"
VERIFY_TRIES="\${VERIFY_TRIES:-30}"
VERIFY_DELAY="\${VERIFY_DELAY:-2}"
EXPECTED_SHA256="${p.fingerprint}"

STATE=checking
BACKUP_CRT=""
BACKUP_KEY=""
TMP_CRT=""
TMP_KEY=""

${SHELL_STEP_DIE}
# SUDO is deliberately unquoted so that SUDO="sudo -n" works.
priv() {
  if [ -n "$SUDO" ]; then $SUDO "$@"; else "$@"; fi
}
${SHELL_FINGERPRINT}
# SHA-256 of a PEM public key on stdin: the same for a key, its certificate and its CSR.
pubhash() { openssl dgst -sha256 -r | cut -d' ' -f1; }
served_fingerprint() {
  local target=$HOST
  case $target in *:*) target="[$target]" ;; esac
  local sni=()
  if [ -n "$SERVERNAME" ]; then sni=(-servername "$SERVERNAME"); fi
  timeout 10 openssl s_client -connect "$target:$HTTPS_PORT" \${sni[@]+"\${sni[@]}"} </dev/null 2>/dev/null | fingerprint 2>/dev/null
}

rollback() {
  trap - EXIT
  set +e
  printf '\\nerror: %s\\n==> Restoring the previous certificate and key\\n' "$*" >&2
  priv rm -f "$TMP_CRT" "$TMP_KEY"
  local ok=1
  priv cp -p "$BACKUP_CRT" "$TMP_CRT" && priv mv -f "$TMP_CRT" "$NGINX_DIR/nginx.crt" || ok=0
  priv cp -p "$BACKUP_KEY" "$TMP_KEY" && priv mv -f "$TMP_KEY" "$NGINX_DIR/nginx.key" || ok=0
  priv cmp -s "$BACKUP_CRT" "$NGINX_DIR/nginx.crt" && priv cmp -s "$BACKUP_KEY" "$NGINX_DIR/nginx.key" || ok=0
  echo "==> Restarting nginx: $RESTART_CMD" >&2
  priv sh -c "$RESTART_CMD" || ok=0
  if [ "$ok" = 1 ]; then
    echo "rolled back: $NGINX_DIR holds the previous nginx.crt and nginx.key again and nginx was restarted" >&2
  else
    echo "ROLLBACK INCOMPLETE: restore by hand, then restart nginx ($RESTART_CMD):" >&2
    echo "  sudo cp -p '$BACKUP_CRT' '$NGINX_DIR/nginx.crt'" >&2
    echo "  sudo cp -p '$BACKUP_KEY' '$NGINX_DIR/nginx.key'" >&2
  fi
  exit 1
}
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$STATE" = changing ]; then rollback "the script stopped unexpectedly (exit status $rc)"; fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# A relative NGINX_DIR means relative to where the script was started, not to the working folder.
case $NGINX_DIR in /*) ;; *) NGINX_DIR="$PWD/$NGINX_DIR" ;; esac
HERE="$(cd -- "$(dirname -- "\${BASH_SOURCE[0]}")" && pwd -P)"
cd -- "$HERE"

step "1/7 Checking the new files in $HERE"
for f in nginx.crt nginx.key; do
  [ -f "$f" ] || die 2 "$f is not beside this script in $HERE: copy nginx.crt, nginx.key and apstra-commands.sh into one working folder and run the script from there"
done
command -v openssl >/dev/null || die 2 "openssl is not installed"
case $VERIFY in 0 | 1) ;; *) die 2 "VERIFY must be 0 or 1, not '$VERIFY'" ;; esac
if [ "$VERIFY" = 1 ]; then command -v timeout >/dev/null || die 2 "timeout (coreutils) is not installed; set VERIFY=0 to skip the check"; fi
priv test -d "$NGINX_DIR" || die 2 "$NGINX_DIR is not a folder: is this the Apstra server? (set NGINX_DIR)"
# shellcheck disable=SC2016 # $1 expands in the inner shell
if [ "$(priv sh -c 'cd -- "$1" && pwd -P' sh "$NGINX_DIR")" = "$HERE" ]; then
  die 2 "run this from a working folder, not from $NGINX_DIR: nginx must not see the extra files"
fi

step "2/7 Checking that nginx.key and nginx.crt (and nginx.csr, when present) belong together"
openssl crl2pkcs7 -nocrl -certfile nginx.crt >/dev/null 2>&1 || die 1 "nginx.crt is not a readable PEM certificate file; nothing was changed"
NEW_SHA256="$(fingerprint <nginx.crt)" || die 1 "nginx.crt cannot be read; nothing was changed"
[ "$NEW_SHA256" = "$EXPECTED_SHA256" ] || die 1 "nginx.crt is not the certificate certbench prepared (SHA-256 $NEW_SHA256, expected $EXPECTED_SHA256); nothing was changed"
CERT_PUB="$(openssl x509 -in nginx.crt -noout -pubkey | pubhash)" || die 1 "cannot read the public key of nginx.crt; nothing was changed"
KEY_PUB="$(openssl pkey -in nginx.key -passin pass: -pubout 2>/dev/null | pubhash)" || die 1 "nginx.key cannot be read without a passphrase: nginx needs an unencrypted key; nothing was changed"
echo "certificate public key SHA-256: $CERT_PUB"
echo "private key public key SHA-256: $KEY_PUB"
[ "$CERT_PUB" = "$KEY_PUB" ] || die 1 "nginx.key does not belong to the certificate in nginx.crt; nothing was changed"
if [ -f nginx.csr ]; then
  CSR_PUB="$(openssl req -in nginx.csr -noout -pubkey | pubhash)" || die 1 "nginx.csr cannot be read; nothing was changed"
  echo "CSR public key SHA-256:         $CSR_PUB"
  [ "$CSR_PUB" = "$KEY_PUB" ] || die 1 "nginx.csr was made for another key than nginx.key; nothing was changed"
fi
echo "they match"

step "3/7 Looking at $NGINX_DIR"
for f in nginx.crt nginx.key; do
  priv test -f "$NGINX_DIR/$f" || die 2 "$NGINX_DIR/$f does not exist: is NGINX_DIR right? nothing was changed"
done
OLD_SHA256="$(priv cat "$NGINX_DIR/nginx.crt" | fingerprint 2>/dev/null)" || OLD_SHA256="(unreadable)"
echo "current certificate SHA-256: $OLD_SHA256"
echo "new certificate SHA-256:     $NEW_SHA256"
STRAY="$(priv find "$NGINX_DIR" -maxdepth 1 -name '*.conf' ! -name nginx.conf -print)"
if [ -n "$STRAY" ]; then
  echo "WARNING: nginx loads every *.conf file in $NGINX_DIR and fails to start on stray ones." >&2
  echo "WARNING: move these out of the folder (this script leaves them alone):" >&2
  printf '  %s\\n' "$STRAY" >&2
fi

step "4/7 Backing up the current nginx.crt and nginx.key"
TS="$(date +%Y%m%d-%H%M%S)"
SUFFIX="certbench-$TS.bak"
n=1
while priv test -e "$NGINX_DIR/nginx.crt.$SUFFIX" || priv test -e "$NGINX_DIR/nginx.key.$SUFFIX"; do
  n=$((n + 1))
  SUFFIX="certbench-$TS-$n.bak"
done
BACKUP_CRT="$NGINX_DIR/nginx.crt.$SUFFIX"
BACKUP_KEY="$NGINX_DIR/nginx.key.$SUFFIX"
TMP_CRT="$NGINX_DIR/.nginx.crt.certbench-new"
TMP_KEY="$NGINX_DIR/.nginx.key.certbench-new"
priv cp -p "$NGINX_DIR/nginx.crt" "$BACKUP_CRT"
priv cp -p "$NGINX_DIR/nginx.key" "$BACKUP_KEY"
priv chmod 600 "$BACKUP_KEY"
if ! { priv cmp -s "$NGINX_DIR/nginx.crt" "$BACKUP_CRT" && priv cmp -s "$NGINX_DIR/nginx.key" "$BACKUP_KEY"; }; then
  die 1 "the backup copies differ from the originals; nothing was changed"
fi
echo "$BACKUP_CRT"
echo "$BACKUP_KEY"

step "5/7 Installing the new nginx.crt and nginx.key"
STATE=changing
# A temp name in the same folder, then mv: nginx sees the old file or the new one, never half of one.
priv install -m 0644 nginx.crt "$TMP_CRT"
priv install -m 0600 nginx.key "$TMP_KEY"
priv mv -f "$TMP_KEY" "$NGINX_DIR/nginx.key"
priv mv -f "$TMP_CRT" "$NGINX_DIR/nginx.crt"
if ! { priv cmp -s nginx.crt "$NGINX_DIR/nginx.crt" && priv cmp -s nginx.key "$NGINX_DIR/nginx.key"; }; then
  rollback "the installed files differ from the new ones"
fi
echo "installed $NGINX_DIR/nginx.crt and $NGINX_DIR/nginx.key (mode 0600)"

step "6/7 Restarting nginx: $RESTART_CMD"
priv sh -c "$RESTART_CMD" || rollback "the restart command failed: $RESTART_CMD"

if [ "$VERIFY" = 1 ]; then
  step "7/7 Waiting for $HOST:$HTTPS_PORT to serve the new certificate"
  SERVED=""
  for ((i = 1; i <= VERIFY_TRIES; i++)); do
    SERVED="$(served_fingerprint || true)"
    if [ "$SERVED" = "$EXPECTED_SHA256" ]; then break; fi
    echo "try $i/$VERIFY_TRIES: served \${SERVED:-nothing yet}"
    if [ "$i" -lt "$VERIFY_TRIES" ]; then sleep "$VERIFY_DELAY"; fi
  done
  [ "$SERVED" = "$EXPECTED_SHA256" ] || rollback "$HOST:$HTTPS_PORT does not serve the new certificate (served: \${SERVED:-nothing})"
  echo "served SHA-256: $SERVED"
else
  step "7/7 Not checking the served certificate (VERIFY=0)"
  echo "open https://\${SERVERNAME:-$HOST}/ and check the certificate's SHA-256 fingerprint is $EXPECTED_SHA256"
fi

STATE=finished
step "Done"
echo "Backups: $BACKUP_CRT and $BACKUP_KEY"
echo "Now delete the working copy of the key: rm -f '$HERE/nginx.key'"
echo "Keep openssl-san.cnf and any other *.conf file out of $NGINX_DIR."
`;
}
