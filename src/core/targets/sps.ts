import { X509Certificate, createHash } from 'node:crypto';
import { isSelfSigned } from '../pki/chain.js';
import { exportPrivateKey } from '../pki/keys.js';
import { toPem } from '../pki/pem.js';
import type { Bundle, Finding, FormatParams, TargetFile } from './types.js';
import { SHELL_FINGERPRINT, SHELL_STEP_DIE } from './shell.js';

// Printable ASCII only: certificate names end up in shell comments, where a newline would become a command.
function forComment(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

// The vendor's x509 body example ends each PEM at its END line, without a line break.
function pemValue(label: string, der: Uint8Array): string {
  return toPem(label, der).replace(/\n$/, '');
}

function colonHex(der: Uint8Array, alg: 'sha256' | 'sha1' | 'md5'): string {
  return createHash(alg).update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/**
 * Formats a bundle for One Identity Safeguard for Privileged Sessions (SPS) REST API: x509.json, the body
 * of POST /api/configuration/x509 (leaf, unencrypted PKCS#1 key, issuer chain as given), and
 * sps-commands.sh, the curl sequence that uploads it in a transaction, points the web certificate
 * (`server` of /api/configuration/management/certificates) at it and commits, rolling back on any error.
 * Assumes {@link preflight} has accepted the bundle (SPS takes RSA keys only).
 * @throws InputError `unsupported` for a non-RSA key (preflight refuses those first)
 */
export function formatSps(b: Bundle, _p: FormatParams): { files: TargetFile[]; warnings: Finding[] } {
  const warnings: Finding[] = [];
  const leaf = new X509Certificate(b.cert);
  if (b.chain.length === 0 && !isSelfSigned(leaf)) {
    warnings.push({ severity: 'warning', code: 'sps-no-issuer-chain',
      message: `no chain was given, so issuer_chain is empty and SPS serves the leaf alone: browsers that do not already hold "${forComment(leaf.issuer.replace(/\n/g, ', '))}" will reject the SPS web interface; give the intermediate certificate(s) with the chain` });
  }
  const privateKey = (exportPrivateKey(b.key, { format: 'pkcs1' }) as string).replace(/\n$/, '');
  const body = {
    certificate: pemValue('CERTIFICATE', b.cert),
    private_key: privateKey,
    issuer_chain: b.chain.map((der) => pemValue('CERTIFICATE', der)),
  };
  return {
    files: [
      {
        name: 'x509.json',
        content: `${JSON.stringify(body, null, 2)}\n`,
        secret: true,
        description: 'Body of POST /api/configuration/x509: certificate, unencrypted PKCS#1 private key and issuer chain; delete it once SPS has it',
      },
      {
        name: 'sps-commands.sh',
        content: spsScript({
          subject: forComment(leaf.subject.replace(/\n/g, ', ')),
          notAfter: forComment(leaf.validTo),
          sha256: colonHex(b.cert, 'sha256'),
          sha1: colonHex(b.cert, 'sha1'),
          md5: colonHex(b.cert, 'md5'),
        }),
        secret: false,
        description: 'Run from the folder holding x509.json: uploads it to SPS over the REST API in one transaction and makes it the web certificate; rolls back on error',
      },
    ],
    warnings,
  };
}

interface ScriptParams {
  subject: string;
  notAfter: string;
  /** Colon-separated uppercase hex fingerprints of the leaf DER. */
  sha256: string;
  sha1: string;
  md5: string;
}

// Bash text: `\${` and `\\` below are the template literal's escapes for `${` and `\`.
function spsScript(p: ScriptParams): string {
  return `#!/usr/bin/env bash
# Replaces the certificate of the SPS web interface and REST API (written by certbench).
#   Certificate: ${p.subject}
#   Valid until: ${p.notAfter}
#   SHA-256 fingerprint: ${p.sha256}
#
# Run it on your workstation from the folder holding x509.json (it holds the private key: delete it
# afterwards). curl asks for the password of SPS_USER, who needs the REST server privilege:
#   SPS=sps.example.net SPS_CA=sps-ca.pem bash sps-commands.sh
#
# Settings (environment variables):
#   SPS         host name or address of SPS (required)
#   SPS_PORT    HTTPS port of the web interface                    [443]
#   SPS_USER    user to log in as                                  [admin]
#   SPS_CA      CA certificate that verifies SPS's current web certificate (required; in SPS:
#               Basic Settings > Management > SSL certificate > CA X.509 certificate). The
#               certificate is always verified: this script has no "insecure" mode.
#   VERIFY      1: after the commit, wait until SPS serves the new certificate; 0: skip [1]
#   VERIFY_TRIES, VERIFY_DELAY   how often and how many seconds apart to check [30, 2]
#
# What was checked against One Identity's SPS REST API reference:
#   - GET /api/authentication with HTTP basic authentication answers 200 and sets the session_id
#     cookie, valid for 20 minutes; it is missing from the cookie jar when the clocks disagree.
#   - POST /api/transaction opens a transaction and locks the configuration; the request must carry
#     a body length (411 Length Required otherwise), so an empty body is sent.
#   - DELETE /api/transaction throws the transaction's changes away and releases the lock.
#   - POST /api/configuration/x509 takes certificate, private_key (PKCS#1, unencrypted) and
#     issuer_chain as one-line PEM strings and answers with the new object's "key"; SPS rejects
#     invalid certificates and chains. GET /api/configuration/x509/<key> shows its fingerprint.
#   - /api/configuration/management/certificates refers to the web certificate ("server"), the
#     internal CA ("ca") and the timestamping authority ("tsa") by key; a modified object is PUT
#     back with references written as plain keys. After the commit SPS deletes the replaced object.
#   - Not in the reference text at hand: the commit request, PUT /api/transaction with
#     {"status": "commit"}, is taken from certbench's design.
# Exit status: 0 committed (and verified); 1 failed (rolled back unless the commit went through); 2 usage.
set -euo pipefail

SPS="\${SPS:-}"
SPS_PORT="\${SPS_PORT:-443}"
SPS_USER="\${SPS_USER:-admin}"
SPS_CA="\${SPS_CA:-}"
VERIFY="\${VERIFY:-1}"
VERIFY_TRIES="\${VERIFY_TRIES:-30}"
VERIFY_DELAY="\${VERIFY_DELAY:-2}"
EXPECTED_SHA256="${p.sha256}"
EXPECTED_SHA1="${p.sha1}"
EXPECTED_MD5="${p.md5}"

TX_OPEN=0
JAR=""

${SHELL_STEP_DIE}
${SHELL_FINGERPRINT}

# api METHOD PATH [curl options...]: prints SPS's answer; on an HTTP error prints SPS's error body and fails.
api() {
  local method=$1 path=$2 out
  shift 2
  if out="$(curl --silent --show-error --fail-with-body --cacert "$SPS_CA" \\
    --cookie "$JAR" --cookie-jar "$JAR" -H 'Content-Type: application/json' \\
    -X "$method" "$@" "https://$URL_HOST:$SPS_PORT$path")"; then
    printf '%s\\n' "$out"
  else
    printf 'error: %s %s failed; SPS answered:\\n%s\\n' "$method" "$path" "$out" >&2
    return 1
  fi
}

on_exit() {
  local rc=$?
  trap - EXIT
  if [ "$TX_OPEN" = 1 ]; then
    echo "==> Rolling back the transaction (DELETE /api/transaction)" >&2
    if api DELETE /api/transaction >/dev/null; then
      echo "rolled back: SPS keeps its previous certificate" >&2
    else
      echo "ROLLBACK FAILED: the transaction stays open and locks the SPS configuration until the session" >&2
      echo "times out; discard it in the web interface or with DELETE /api/transaction" >&2
    fi
    rc=1
  fi
  if [ -n "$JAR" ]; then rm -f -- "$JAR"; fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

step "1/7 Checking the tools and x509.json"
[ -n "$SPS" ] || die 2 "set SPS to the host name or address of SPS, e.g. SPS=sps.example.net"
[ -n "$SPS_CA" ] || die 2 "set SPS_CA to the CA certificate file that verifies SPS's web certificate (Basic Settings > Management > SSL certificate)"
[ -f "$SPS_CA" ] || die 2 "SPS_CA: no such file: $SPS_CA"
# Relative to where the script was started, before moving beside x509.json.
case $SPS_CA in /*) ;; *) SPS_CA="$PWD/$SPS_CA" ;; esac
cd -- "$(dirname -- "\${BASH_SOURCE[0]}")"
[ -f x509.json ] || die 2 "x509.json is not beside this script: keep the files certbench wrote together"
for tool in curl jq openssl; do
  command -v "$tool" >/dev/null || die 2 "$tool is not installed"
done
curl --fail-with-body --version >/dev/null 2>&1 || die 2 "this curl is too old for --fail-with-body (7.76 or later is needed)"
case $VERIFY in 0 | 1) ;; *) die 2 "VERIFY must be 0 or 1, not '$VERIFY'" ;; esac
if [ "$VERIFY" = 1 ]; then command -v timeout >/dev/null || die 2 "timeout (coreutils) is not installed; set VERIFY=0 to skip the check"; fi
jq -e '(.certificate | type) == "string" and (.private_key | type) == "string" and (.issuer_chain | type) == "array"' x509.json >/dev/null || die 2 "x509.json is not the file certbench wrote"
NEW_SHA256="$(jq -r .certificate x509.json | fingerprint)" || die 2 "the certificate in x509.json cannot be read"
[ "$NEW_SHA256" = "$EXPECTED_SHA256" ] || die 2 "x509.json holds another certificate (SHA-256 $NEW_SHA256) than certbench prepared ($EXPECTED_SHA256)"
case $SPS in *:*) URL_HOST="[$SPS]" ;; *) URL_HOST=$SPS ;; esac
JAR="$(mktemp)"
echo "new certificate SHA-256: $NEW_SHA256"

step "2/7 Logging in to $SPS as $SPS_USER (GET /api/authentication)"
api GET /api/authentication --user "$SPS_USER" >/dev/null
grep -q session_id "$JAR" || die 1 "SPS sent no session_id cookie: check that the clocks of SPS and this machine agree"

step "3/7 Opening a transaction (POST /api/transaction)"
api POST /api/transaction --data '' >/dev/null
TX_OPEN=1

step "4/7 Uploading the certificate, key and chain (POST /api/configuration/x509)"
# curl --data drops the line breaks of the file; in x509.json they only sit between JSON tokens.
X509_ANSWER="$(api POST /api/configuration/x509 --data @x509.json)"
NEW_KEY="$(jq -er '.key | strings' <<<"$X509_ANSWER")" || die 1 "SPS's answer has no key for the new certificate: $X509_ANSWER"
echo "SPS stored it as $NEW_KEY"
STORED="$(api GET "/api/configuration/x509/$NEW_KEY")"
STORED_ALG="$(jq -r '.body.fingerprint.hash_algorithm // empty' <<<"$STORED")"
STORED_DIGEST="$(jq -r '.body.fingerprint.digest // empty' <<<"$STORED" | tr 'a-f' 'A-F')"
case $STORED_ALG in
  sha256) WANT=$EXPECTED_SHA256 ;;
  sha1) WANT=$EXPECTED_SHA1 ;;
  md5) WANT=$EXPECTED_MD5 ;;
  *) WANT="" ;;
esac
if [ -n "$WANT" ]; then
  [ "$STORED_DIGEST" = "$WANT" ] || die 1 "SPS stored a certificate with $STORED_ALG fingerprint $STORED_DIGEST, expected $WANT"
  echo "SPS reports the expected $STORED_ALG fingerprint"
else
  echo "SPS reports no fingerprint certbench can compare (hash_algorithm '\${STORED_ALG:-none}'); continuing"
fi

step "5/7 Making it the web certificate (PUT /api/configuration/management/certificates)"
CERTS="$(api GET /api/configuration/management/certificates)"
OLD_KEY="$(jq -r '.body.server | if type == "object" then .key else . end' <<<"$CERTS")"
# References go back as plain keys; ca and tsa keep theirs, server gets the new one.
NEW_CERTS="$(jq -ce --arg k "$NEW_KEY" '
  def refs: if type == "object" then (if has("key") and has("meta") then .key else map_values(refs) end)
            elif type == "array" then map(refs) else . end;
  .body | refs | .server = $k' <<<"$CERTS")" || die 1 "cannot read SPS's certificate settings: $CERTS"
echo "server: $OLD_KEY -> $NEW_KEY"
api PUT /api/configuration/management/certificates --data "$NEW_CERTS" >/dev/null

step "6/7 Committing the transaction (PUT /api/transaction)"
api PUT /api/transaction --data '{"status": "commit"}' >/dev/null
TX_OPEN=0
echo "committed"

if [ "$VERIFY" = 1 ]; then
  step "7/7 Waiting for $SPS:$SPS_PORT to serve the new certificate"
  SERVED=""
  for ((i = 1; i <= VERIFY_TRIES; i++)); do
    SERVED="$(timeout 10 openssl s_client -connect "$URL_HOST:$SPS_PORT" -servername "$SPS" </dev/null 2>/dev/null | fingerprint 2>/dev/null || true)"
    if [ "$SERVED" = "$EXPECTED_SHA256" ]; then break; fi
    echo "try $i/$VERIFY_TRIES: served \${SERVED:-nothing yet}"
    if [ "$i" -lt "$VERIFY_TRIES" ]; then sleep "$VERIFY_DELAY"; fi
  done
  # The commit is through and SPS has deleted the old certificate object: nothing left to roll back to.
  [ "$SERVED" = "$EXPECTED_SHA256" ] || die 1 "the change is committed, but $SPS:$SPS_PORT still serves \${SERVED:-nothing} instead of $EXPECTED_SHA256: check Basic Settings > Management > SSL certificate"
  echo "served SHA-256: $SERVED"
else
  step "7/7 Not checking the served certificate (VERIFY=0)"
  echo "open https://$SPS/ and check the certificate's SHA-256 fingerprint is $EXPECTED_SHA256"
fi

step "Done"
echo "Now delete x509.json: it holds the private key."
`;
}
