import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './net.js';
import { tempDir } from './openssl.js';

export { freePort };

/** The nginx binary the Debian package installs. */
export const NGINX_BIN = '/usr/sbin/nginx';

/** A real nginx serving HTTPS on 127.0.0.1, configured under a temp prefix. */
export interface NginxServer {
  port: number;
  /** The temp folder holding nginx.conf, the pid file, logs and temp paths (removed by stop()). */
  prefix: string;
  /**
   * An executable script that fully restarts this nginx: stops it (SIGTERM to the master, as `-s stop`),
   * waits until the master is gone and the port is closed, then starts it again; exits non-zero with
   * nginx's error on stderr when nginx refuses to start (e.g. a certificate it will not load).
   */
  restartScript: string;
  /** Stops nginx (if running) and removes the prefix. */
  stop(): Promise<void>;
  /** The error log so far ('' when there is none). */
  errorLog(): string;
}

/** Options of {@link startNginx}. */
export interface StartNginxParams {
  /** The certificate file nginx serves (leaf first, then its chain), e.g. DIR/nginx.crt. */
  certPath: string;
  /** Its private key file. */
  keyPath: string;
  /** A folder whose `*.conf` files are included inside http{} (as Apstra's /etc/aos/nginx.conf.d). */
  confDir?: string;
}


/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

function nginxConf(prefix: string, port: number, o: StartNginxParams): string {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const p = (name: string): string => join(prefix, name);
  return [
    // As root nginx would switch its workers to nobody, who cannot read the temp prefix.
    ...(asRoot ? ['user root;'] : []),
    'daemon on;',
    'worker_processes 1;',
    `pid ${p('nginx.pid')};`,
    `error_log ${p('error.log')} notice;`,
    'events { worker_connections 64; }',
    'http {',
    `  access_log ${p('access.log')};`,
    `  client_body_temp_path ${p('client_body_temp')};`,
    `  proxy_temp_path ${p('proxy_temp')};`,
    `  fastcgi_temp_path ${p('fastcgi_temp')};`,
    `  uwsgi_temp_path ${p('uwsgi_temp')};`,
    `  scgi_temp_path ${p('scgi_temp')};`,
    ...(o.confDir === undefined ? [] : [`  include ${join(o.confDir, '*.conf')};`]),
    '  server {',
    `    listen 127.0.0.1:${port} ssl;`,
    '    server_name _;',
    `    ssl_certificate ${o.certPath};`,
    `    ssl_certificate_key ${o.keyPath};`,
    '    location / { default_type text/plain; return 200 "certbench test page\\n"; }',
    '  }',
    '}',
    '',
  ].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function restartScriptText(prefix: string, conf: string, port: number): string {
  const q = shellQuote;
  return `#!/bin/bash
# Fully restarts the test nginx under ${prefix}: stop, wait until it is gone, start.
NGINX=${q(NGINX_BIN)}
PREFIX=${q(prefix + '/')}
CONF=${q(conf)}
PIDFILE=${q(join(prefix, 'nginx.pid'))}
PORT=${port}
if [ -s "$PIDFILE" ]; then
  PID=$(cat "$PIDFILE")
  # SIGTERM is what \`nginx -s stop\` sends; signalling the pid directly still works when the
  # configuration no longer loads (the -s form parses it first).
  kill -TERM "$PID" 2>/dev/null
  # nginx removes its pid file as its master exits (a zombie nobody reaped yet counts as gone).
  running() { [ -e "$PIDFILE" ] && kill -0 "$PID" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$PID/stat" 2>/dev/null; }
  for _ in $(seq 1 200); do
    running || break
    sleep 0.05
  done
  if running; then echo "nginx (pid $PID) did not stop" >&2; exit 1; fi
fi
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
  sleep 0.05
done
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is still open after stopping nginx" >&2; exit 1; fi
exec "$NGINX" -p "$PREFIX" -c "$CONF" -e "$PREFIX/error.log"
`;
}

function masterPid(prefix: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

// A zombie (an exited master nobody has reaped yet) counts as gone: it holds no port any more.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// Every nginx this process started, so one left running by a crashed test is still ended on exit.
const running = new Set<string>();
let exitHook = false;
function killAllOnExit(): void {
  for (const prefix of running) {
    const pid = masterPid(prefix);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }
}

/**
 * Starts /usr/sbin/nginx on 127.0.0.1:<free port> serving `certPath`/`keyPath`, everything else under a
 * temp prefix. Rejects with nginx's own error when it refuses to start.
 */
export async function startNginx(opts: StartNginxParams): Promise<NginxServer> {
  const t = tempDir('certbench-nginx-');
  const prefix = t.dir;
  const port = await freePort();
  const conf = join(prefix, 'nginx.conf');
  for (const d of ['client_body_temp', 'proxy_temp', 'fastcgi_temp', 'uwsgi_temp', 'scgi_temp']) mkdirSync(join(prefix, d));
  writeFileSync(conf, nginxConf(prefix, port, opts));
  const restartScript = join(prefix, 'restart-nginx.sh');
  writeFileSync(restartScript, restartScriptText(prefix, conf, port));
  chmodSync(restartScript, 0o755);
  const errorLog = (): string => (existsSync(join(prefix, 'error.log')) ? readFileSync(join(prefix, 'error.log'), 'utf8') : '');

  const r = spawnSync(NGINX_BIN, ['-p', `${prefix}/`, '-c', conf, '-e', join(prefix, 'error.log')], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = `${r.stderr}${r.error ? String(r.error) : ''}`.trim() || errorLog().trim();
    t.cleanup();
    throw new Error(`nginx refused to start (exit ${r.status}): ${why}`);
  }
  running.add(prefix);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', killAllOnExit);
  }

  let stopped = false;
  return {
    port,
    prefix,
    restartScript,
    errorLog,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      const pid = masterPid(prefix);
      if (pid !== undefined && alive(pid)) {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 400 && alive(pid); i++) await new Promise((res) => setTimeout(res, 25));
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      running.delete(prefix);
      t.cleanup();
    },
  };
}

/** The committed lab PKI (test/fixtures/pki). */
const LAB_PKI = fileURLToPath(new URL('../fixtures/pki/', import.meta.url));

/**
 * Starts nginx serving the lab's EC leaf (apstra.example.net) and its issuing CA: writes `dir`/nginx.crt
 * (ec.crt + int.crt) and nginx.key (ec.key, 0600), which a test may later rewrite and restart nginx on.
 */
export async function startLabNginx(dir: string): Promise<NginxServer> {
  const lab = (name: string): string => readFileSync(join(LAB_PKI, name), 'utf8');
  writeFileSync(join(dir, 'nginx.crt'), lab('ec.crt') + lab('int.crt'));
  writeFileSync(join(dir, 'nginx.key'), lab('ec.key'), { mode: 0o600 });
  return startNginx({ certPath: join(dir, 'nginx.crt'), keyPath: join(dir, 'nginx.key') });
}
