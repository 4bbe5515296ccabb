// Row 5: an Apstra push to the local sshd + nginx against the same steps done by hand with `scp`,
// `ssh` and `openssl s_client`. It needs `certbench push` (issue 5); until that verb exists the row
// says so instead of timing something else.
import { spawnSync } from 'node:child_process';
import { BIN } from '../lib/common.mjs';

export async function run() {
  const help = spawnSync(process.execPath, [BIN, 'push', '--help'], { encoding: 'utf8' });
  const hasPush = help.status === 0 && /apstra/i.test(help.stdout);
  return {
    title: 'Apstra push',
    results: [{
      id: '5',
      name: 'Apstra push vs scp + ssh + openssl s_client',
      skipped: hasPush ? 'certbench push exists now: this row still has to be written (bench/rows/push.mjs)' : 'pending: needs certbench push (issue 5)',
    }],
  };
}
