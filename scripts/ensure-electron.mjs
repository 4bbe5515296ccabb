// `npm start` runs this before electron-vite: electron 45 downloads its binary on first use
// (require('electron')), which electron-vite does not trigger by itself. Where the download
// cannot happen, say so plainly and point at the command line, which needs no Electron.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require('electron');
} catch (err) {
  process.stderr.write(
    `\ncertbench: the Electron binary is not installed and could not be downloaded here (${err instanceof Error ? err.message.split('\n')[0] : err}).\n` +
      'The desktop window needs it; everything else works without it: try `npx certbench --help`.\n',
  );
  process.exit(1);
}
