#!/usr/bin/env node
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('certbench: the command line is not built yet; run `npm install` (or `npm run build:cli`) in the certbench folder first\n');
  process.exit(2);
}
await import(entry.href);
