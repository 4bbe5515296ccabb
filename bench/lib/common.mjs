// Shared helpers for the benchmark rows: paths, timing, statistics, process runs.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TMP = fileURLToPath(new URL('../tmp/', import.meta.url));
export const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/certbench.js', import.meta.url));

export const execFileP = promisify(execFile);

export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median, min, max, and the interquartile range: enough to see how noisy a figure is. */
export function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  return { n: s.length, median: median(s), min: s[0], max: s[s.length - 1], p25: q(0.25), p75: q(0.75) };
}

/**
 * Runs a process to completion and returns its wall time in ms (spawn to exit, as a shell user sees it).
 * Throws when the exit code is not one of `okCodes`, so a broken command never yields a figure.
 */
export function timeProcess(cmd, args, opts = {}) {
  const okCodes = opts.okCodes ?? [0];
  const t0 = nowMs();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    env: opts.env ?? process.env,
    maxBuffer: 256 * 1024 * 1024,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', opts.captureStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  const ms = nowMs() - t0;
  if (r.error) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')}: ${r.error.message}`);
  if (!okCodes.includes(r.status)) {
    throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
  }
  return { ms, stdout: opts.captureStdout ? r.stdout.toString('utf8') : '', status: r.status };
}

/** `which`, without a shell. */
export function which(name) {
  const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The first line a command prints, or undefined when it cannot run. */
export function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0 || r.error) return undefined;
  return (r.stdout || r.stderr).trim().split('\n')[0];
}

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtBytes(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/**
 * Ratio of certbench's cost to its peer's (time, or bytes): below 1 certbench is faster/smaller.
 * The text says it in words so nobody has to remember which way the ratio points.
 */
export function costRatio(certbench, peer, words = ['faster', 'slower']) {
  const ratio = certbench / peer;
  if (!Number.isFinite(ratio) || ratio <= 0) return { ratio, text: '-' };
  const text = ratio <= 1 ? `${(1 / ratio).toFixed(2)}x ${words[0]}` : `${ratio.toFixed(2)}x ${words[1]}`;
  return { ratio: Number(ratio.toFixed(4)), text };
}

/** Longest a timed push process may run before it is killed with everything it started. */
export const RUN_LIMIT_MS = 120_000;

/**
 * Runs a process to completion in its own process group (`input` on stdin; none when not given) and resolves
 * with its wall time in ms, its output and the arrival time (ms after spawn) of each stdout line. Rejects on a
 * non-zero exit or after RUN_LIMIT_MS, killing the whole group. Never synchronous: the time limit is a timer
 * of this process, and a simulator the process talks to may run on this event loop.
 */
export function timeProcessAsync(cmd, args, { env = process.env, input } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    // detached: a new session without a controlling terminal (curl then reads a password from stdin), and a
    // stuck run is ended with every scp/ssh/curl it started.
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines = [];
    child.stdout.setEncoding('utf8').on('data', (s) => {
      const t = nowMs() - t0;
      stdout += s;
      const parts = (partial + s).split('\n');
      partial = parts.pop();
      for (const line of parts) lines.push({ t, line });
    });
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
    if (input !== undefined) {
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} did not finish within ${RUN_LIMIT_MS / 1000} s`));
    }, RUN_LIMIT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      const ms = nowMs() - t0;
      clearTimeout(timer);
      if (code === 0) resolve({ ms, stdout, stderr, lines });
      else reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} exited ${code ?? signal}: ${stderr.slice(-600)}${stdout.slice(-600)}`));
    });
  });
}

/** Per-key medians (one decimal) of a list of `{ step: ms }` objects, ignoring steps a run did not have. */
export function medians(list) {
  const keys = [...new Set(list.flatMap((o) => Object.keys(o)))];
  return Object.fromEntries(keys.map((k) => [k, Number(summary(list.map((o) => o[k]).filter(Number.isFinite)).median.toFixed(1))]));
}
