// Shell functions the generated target scripts share, written once so they cannot drift apart.

/** `step` prints a "==> ..." heading; `die CODE MESSAGE` prints the error on stderr and exits with CODE. */
export const SHELL_STEP_DIE = `step() { printf '\\n==> %s\\n' "$*"; }
die() {
  local code=$1
  shift
  printf 'error: %s\\n' "$*" >&2
  exit "$code"
}`;

/** `fingerprint` reads a PEM certificate on stdin and prints its SHA-256 fingerprint as `AB:CD:...`. */
export const SHELL_FINGERPRINT = `# SHA-256 fingerprint of the first certificate on stdin, as "AB:CD:...".
fingerprint() { openssl x509 -noout -fingerprint -sha256 | sed 's/^[^=]*=//' | tr 'a-f' 'A-F'; }`;
