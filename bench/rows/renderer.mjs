// Row 4: the renderer. Its gzip size (every file `electron-vite build` writes to out/renderer) and how
// long Chromium takes from navigation to React's first render of #root, against an empty Vite React
// page built the same way into bench/tmp/empty-react. Both pages are served from 127.0.0.1 and each
// load gets a fresh browser context (nothing cached), in turns.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, TMP, ensureDir, summary } from '../lib/common.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const RENDERER = join(ROOT, 'out/renderer');
const EMPTY = join(TMP, 'empty-react');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Raw and gzip (level 9) bytes of every file under dir, by kind. */
export function sizes(dir) {
  const out = { files: 0, raw: 0, gzip: 0, byKind: {} };
  for (const f of files(dir)) {
    const data = readFileSync(f);
    const gz = gzipSync(data, { level: 9 }).length;
    const kind = extname(f).slice(1) || 'other';
    out.files++;
    out.raw += data.length;
    out.gzip += gz;
    out.byKind[kind] = { raw: (out.byKind[kind]?.raw ?? 0) + data.length, gzip: (out.byKind[kind]?.gzip ?? 0) + gz };
  }
  return out;
}

async function buildEmptyPage() {
  ensureDir(join(EMPTY, 'src'));
  writeFileSync(join(EMPTY, 'index.html'), '<!doctype html>\n<html lang="en">\n  <head><meta charset="UTF-8" /><title>empty</title></head>\n  <body>\n    <div id="root"></div>\n    <script type="module" src="./src/main.jsx"></script>\n  </body>\n</html>\n');
  writeFileSync(join(EMPTY, 'src/main.jsx'), "import { StrictMode } from 'react';\nimport { createRoot } from 'react-dom/client';\n\ncreateRoot(document.getElementById('root')).render(<StrictMode><main>empty</main></StrictMode>);\n");
  const { build } = await import('vite');
  const { default: react } = await import('@vitejs/plugin-react');
  rmSync(join(EMPTY, 'dist'), { recursive: true, force: true });
  await build({ root: EMPTY, base: './', configFile: false, logLevel: 'warn', plugins: [react()], build: { outDir: join(EMPTY, 'dist'), emptyOutDir: true } });
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' };

function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` })));
}

// Navigation start to the first frame in which #root has content, in the page's own clock.
async function loadOnce(browser, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    return await page.evaluate(() => new Promise((resolve, reject) => {
      const limit = performance.now() + 10_000;
      const check = () => {
        const nav = performance.getEntriesByType('navigation')[0];
        if (document.getElementById('root')?.childElementCount) resolve({ renderMs: performance.now(), loadMs: nav ? nav.loadEventEnd : NaN });
        else if (performance.now() > limit) reject(new Error('#root stayed empty for 10 s'));
        else requestAnimationFrame(check);
      };
      check();
    }));
  } finally {
    await context.close();
  }
}

export function chromiumProblem() {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install -y chromium)`;
  return undefined;
}

export async function run(ctx) {
  if (ctx.quick && existsSync(join(RENDERER, 'index.html'))) {
    ctx.log('  --quick: using the existing out/renderer');
  } else {
    ctx.log('  building the renderer (npx electron-vite build)...');
    const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`electron-vite build failed: ${(r.stderr || r.stdout).slice(-800)}`);
  }
  ctx.log('  building the empty Vite React page...');
  await buildEmptyPage();
  const app = sizes(RENDERER);
  const empty = sizes(join(EMPTY, 'dist'));
  const results = [{
    id: '4a',
    name: 'renderer bundle size, gzip',
    certbench: { what: `out/renderer (${app.files} files, ${app.raw} bytes raw)`, bytes: app.gzip, stats: app },
    peers: [{ what: `empty Vite React page (${empty.files} files, ${empty.raw} bytes raw)`, bytes: empty.gzip, stats: empty }],
  }];

  const problem = chromiumProblem();
  if (problem) {
    results.push({ id: '4b', name: 'renderer load time in Chromium', skipped: problem });
    return { title: 'Renderer', results };
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const a = await serve(RENDERER);
  const b = await serve(join(EMPTY, 'dist'));
  const runs = ctx.quick ? 4 : 21;
  const times = { app: [], empty: [], appLoad: [], emptyLoad: [] };
  try {
    await loadOnce(browser, a.url);
    await loadOnce(browser, b.url);
    ctx.log(`  ${runs} loads of each page...`);
    for (let i = 0; i < runs; i++) {
      const x = await loadOnce(browser, a.url);
      const y = await loadOnce(browser, b.url);
      times.app.push(x.renderMs);
      times.appLoad.push(x.loadMs);
      times.empty.push(y.renderMs);
      times.emptyLoad.push(y.loadMs);
    }
  } finally {
    await browser.close();
    a.server.close();
    b.server.close();
  }
  const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
  results.push({
    id: '4b',
    name: `renderer first render in Chromium (median of ${runs})`,
    certbench: { what: 'out/renderer: navigation to #root rendered', ms: s.app.median, stats: s.app, loadEvent: s.appLoad },
    peers: [{ what: 'empty Vite React page, same measure', ms: s.empty.median, stats: s.empty, loadEvent: s.emptyLoad }],
  });
  return { title: 'Renderer', results, extra: { chromium: spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim() } };
}
