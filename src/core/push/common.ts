/** `20261130T005000Z`: a UTC time for backup and temp file names (sorts, no colons). */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
