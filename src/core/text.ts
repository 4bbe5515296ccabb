// C0/C1 controls and the bidi overrides that make a text display differently from what it is.
const UNSAFE_RE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Writes every control character and bidi override in `s` as `\uXXXX`, so it shows as what it is. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE_RE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
