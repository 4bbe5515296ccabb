// Sums the JSON reports of every suite under the given folder into one plain closing line.
// A suite that failed before writing its report (typecheck, lint, build) counts as one failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test-results';
const status = Number(process.argv[3] ?? 0);
let passed = 0, failed = 0, skipped = 0, reports = 0;

for (const name of readdirSync(dir, { recursive: true })) {
  if (!String(name).endsWith('.json')) continue;
  let r;
  try { r = JSON.parse(readFileSync(join(dir, String(name)), 'utf8')); } catch { continue; }
  if (typeof r.numPassedTests === 'number') {
    // Vitest's JSON reporter (Jest format).
    reports++;
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (r.stats && typeof r.stats.expected === 'number') {
    // Playwright's JSON reporter.
    reports++;
    passed += r.stats.expected + (r.stats.flaky ?? 0);
    failed += r.stats.unexpected;
    skipped += r.stats.skipped ?? 0;
    for (const s of walkSkipped(r.suites ?? [])) console.log(`skipped: ${s}`);
  }
}

function* walkSkipped(suites, prefix = '') {
  for (const s of suites) {
    const title = prefix ? `${prefix} > ${s.title}` : s.title;
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped') continue;
        const why = (t.annotations ?? []).find((a) => a.type === 'skip')?.description;
        yield `${title} > ${spec.title} [${t.projectName}]${why ? `: ${why}` : ''}`;
      }
    }
    yield* walkSkipped(s.suites ?? [], title);
  }
}

if (status !== 0 && failed === 0) failed = 1; // a step failed outside the test runners
if (reports === 0 && failed === 0) { failed = 1; console.log('no test report was written'); }
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
