import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Mantine names its component classes `m_` + a hash; its JS refers to them and its CSS styles them.
const MANTINE_CLASS = /\bm_[0-9a-f]{6,8}\b/g;

/**
 * Two mistakes that would cost the renderer silently, so the build fails on them instead:
 * - a Mantine component used without its CSS file (src/renderer/src/styles.ts imports Mantine's styles
 *   per component): every Mantine class the built JS refers to must have a rule in the built CSS;
 * - zod in the renderer, pulled in by a value import of src/shared/contract.ts (the renderer may only
 *   `import type` from it; the schemas run in main).
 */
function rendererBundleChecks(): Plugin {
  return {
    name: 'certbench:renderer-bundle-checks',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const withZod = Object.values(bundle).filter((o) => o.type === 'chunk' && Object.keys(o.modules).some((id) => /[\\/]node_modules[\\/]zod[\\/]/.test(id)));
      if (withZod.length > 0) {
        this.error(`zod is bundled into the renderer (${withZod.map((o) => o.fileName).join(', ')}): import from src/shared/contract.ts with \`import type\` only.`);
      }
      const all = ['@mantine/core/styles.css', '@mantine/dropzone/styles.css']
        .map((f) => readFileSync(resolve(__dirname, 'node_modules', f), 'utf8'))
        .join('\n');
      const mantine = new Set(all.match(MANTINE_CLASS));
      let js = '';
      let css = '';
      for (const out of Object.values(bundle)) {
        if (out.type === 'chunk') js += out.code;
        else if (out.fileName.endsWith('.css')) css += typeof out.source === 'string' ? out.source : Buffer.from(out.source).toString('utf8');
      }
      const styled = new Set(css.match(MANTINE_CLASS));
      const missing = [...new Set(js.match(MANTINE_CLASS))].filter((c) => mantine.has(c) && !styled.has(c));
      if (missing.length > 0) {
        const dir = resolve(__dirname, 'node_modules/@mantine/core/styles');
        const files = [
          ...readdirSync(dir).filter((f) => f.endsWith('.css') && !f.endsWith('.layer.css')).map((f) => `@mantine/core/styles/${f}`),
          '@mantine/dropzone/styles.css',
        ];
        const where = new Set(missing.map((c) => files.find((f) => readFileSync(resolve(__dirname, 'node_modules', f), 'utf8').includes(`.${c}`)) ?? c));
        this.error(`Mantine components are used without their styles; import these in src/renderer/src/styles.ts: ${[...where].join(', ')}`);
      }
    },
  };
}

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot be an ES module: Electron loads it as a CommonJS script.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      // electron-vite leaves the renderer unminified by default; minified it is about a third of the size.
      minify: true,
      // One stylesheet, in import order: Mantine's files, then ours that override them.
      cssCodeSplit: false,
      // `rolldownOptions`, not `rollupOptions`: electron-vite's renderer preset replaces the latter with the former.
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
        output: {
          codeSplitting: {
            groups: [
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 2 },
              // Only the libraries the first screen needs; those used only by the other tabs (the drop
              // zone, the template dialog) stay in those tabs' chunks.
              { name: 'mantine', test: /node_modules[\\/]/, tags: ['$initial'], priority: 1 },
            ],
          },
        },
      },
    },
    plugins: [react(), rendererBundleChecks()],
  },
});
