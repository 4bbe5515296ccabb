import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/e2e/harness/server.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where `npm run build` (electron-vite build) writes the renderer. */
export const rendererDir = join(repoRoot, 'out/renderer');

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
};

/** The Content-Security-Policy of the built index.html, so the browser enforces exactly what Electron's window does. */
export function cspOf(indexHtml: string): string {
  const tag = /<meta\s[^>]*http-equiv\s*=\s*["']?Content-Security-Policy["']?[^>]*>/i.exec(indexHtml)?.[0];
  // The policy quotes its keywords ('self'), so the attribute's own quote ends it.
  const content = tag && /\scontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
  const csp = (content?.[1] ?? content?.[2] ?? '').replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();
  if (!csp) throw new Error('index.html has no Content-Security-Policy meta tag; the e2e run would test a page without the CSP.');
  return csp;
}

export interface StaticServer {
  url: string;
  csp: string;
  close(): Promise<void>;
}

/** Serves the built renderer on 127.0.0.1 at a free port, with the CSP of its index.html as a header. */
export async function startRendererServer(root = rendererDir): Promise<StaticServer> {
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(`The built renderer is missing (${relative(repoRoot, indexPath)}). Build it first: \`npm run build\` (or \`npx electron-vite build\`).`);
  }
  const csp = cspOf(readFileSync(indexPath, 'utf8'));

  const server = createServer((req, res) => {
    void serve(root, csp, req, res);
  });
  await new Promise<void>((ok, ko) => {
    server.once('error', ko);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    csp,
    close: () =>
      new Promise<void>((ok) => {
        // A browser keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

async function serve(root: string, csp: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return send(400, 'bad request');
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = resolve(root, '.' + pathname);
  // Never serve anything outside the renderer folder.
  if (file !== root && !file.startsWith(root + sep)) return send(403, 'forbidden');
  try {
    if (!(await stat(file)).isFile()) return send(404, 'not found');
    send(200, await readFile(file), types[extname(file).toLowerCase()] ?? 'application/octet-stream');
  } catch {
    send(404, 'not found');
  }
}
