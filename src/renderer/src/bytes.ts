/** The core's 1 MiB input limit (src/core/pki/types.ts MAX_INPUT_BYTES): bigger files are refused before reading. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Base64 of raw bytes, chunked so large files do not overflow the argument list of String.fromCharCode. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** Base64 of text encoded as UTF-8 (pasted PEM). */
export function textToBase64(text: string): string {
  return toBase64(new TextEncoder().encode(text));
}
