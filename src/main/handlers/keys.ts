import { describeKey, exportPrivateKey, generatePrivateKey, keyInfo } from '../../core/pki/keys.js';
import { viewsOf, suggestedName, writeFiles } from './common.js';
import type { HandlerContext, HandlerGroup } from './types.js';

/** keys:generate and keys:save. */
export function keyHandlers(ctx: HandlerContext): HandlerGroup<'keys:generate' | 'keys:save'> {
  return {
    'keys:generate': async (r) => {
      // Sizes and curves that do not apply to the algorithm are ignored, as the form keeps both fields.
      const key = await generatePrivateKey({ alg: r.alg, ...(r.alg === 'rsa' && r.bits ? { bits: r.bits } : {}), ...(r.alg === 'ecdsa' && r.curve ? { curve: r.curve } : {}) });
      const [stored] = ctx.store.addAll([{ kind: 'private-key', key, encoding: 'pkcs8', file: `generated ${describeKey(keyInfo(key))} key`, index: 0, container: 'pem' }], true);
      return viewsOf([stored!], ctx.now?.() ?? new Date())[0]!;
    },
    'keys:save': async (r) => {
      const stored = ctx.store.get(r.keyId, ['private-key'], 'key');
      if (stored.item.kind !== 'private-key') throw new Error('unreachable');
      // Encode first: a format the key cannot take is refused before the dialog opens.
      const data = exportPrivateKey(stored.item.key, { format: r.format, ...(r.passphrase === undefined ? {} : { passphrase: r.passphrase }) });
      const info = keyInfo(stored.item.key);
      const defaultName = stored.generated ? `${describeKey(info).toLowerCase().replace(/\s+/g, '-')}.key` : suggestedName(stored, '.key');
      const path = await ctx.dialogs.saveFile({ title: r.passphrase ? 'Save the private key (encrypted)' : 'Save the private key', defaultName });
      if (path === undefined) return { canceled: true };
      // The save dialog already asked before replacing a file.
      writeFiles([{ path, data, params: { secret: true, force: true, flag: '' } }]);
      return { canceled: false, path };
    },
  };
}
