import { formatApstra } from './apstra.js';
import { formatJunos } from './junos.js';
import { preflight } from './preflight.js';
import { formatSdcloud } from './sdcloud.js';
import { formatSps } from './sps.js';
import type { Bundle, FormatParams, FormatResult, TargetFile, Finding, TargetName } from './types.js';

export { assembleBundle, type BundleParts } from './bundle.js';
export { certIdFor, preflight } from './preflight.js';
export { MIN_EC_BITS, MIN_RSA_BITS } from '../pki/lint.js';
export { TARGETS, type Bundle, type FormatParams, type FormatResult, type TargetFile, type TargetName, type Finding } from './types.js';

/** A target's own formatter: runs after preflight has accepted the bundle. */
export type Formatter = (b: Bundle, p: FormatParams) => { files: TargetFile[]; warnings: Finding[] };

const FORMATTERS: Record<TargetName, Formatter> = {
  junos: formatJunos,
  apstra: formatApstra,
  sps: formatSps,
  sdcloud: formatSdcloud,
};

/**
 * Checks the bundle for the target (see {@link preflight}) and returns the files and commands it
 * needs, with every warning. Pure: nothing is written.
 * @throws InputError `refused` when the bundle cannot go to this target; `invalid-value` for bad options
 */
export function formatFor(target: TargetName, b: Bundle, p: FormatParams = {}): FormatResult {
  const warnings = preflight(b, target, p);
  const out = FORMATTERS[target](b, p);
  // A target's own version of a general finding (apstra-cn-not-in-san for cn-not-in-san) says it in the
  // device's terms; saying both would be the same warning twice.
  const own = new Set(out.warnings.map((w) => w.code));
  const general = warnings.filter((w) => !own.has(`${target}-${w.code}`));
  return { target, files: out.files, warnings: [...general, ...out.warnings] };
}
