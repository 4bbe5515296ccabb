import { InputError } from '../../core/errors.js';
import { validateSan } from '../../core/pki/csr.js';
import { refuseSecretText, safeFileName, writeFiles } from './common.js';
import type { HandlerContext, HandlerGroup } from './types.js';

/** app:info, san:validate, text:save, clipboard:write. */
export function miscHandlers(ctx: HandlerContext): HandlerGroup<'app:info' | 'san:validate' | 'text:save' | 'clipboard:write'> {
  return {
    'app:info': async () => ({ ...ctx.appInfo, platform: process.platform }),

    'san:validate': async (r) => {
      try {
        return { ok: true, normalized: validateSan(r).value };
      } catch (e) {
        if (e instanceof InputError) return { ok: false, message: e.message };
        throw e;
      }
    },

    'text:save': async (r) => {
      refuseSecretText(r.content, 'saving as text');
      const defaultName = safeFileName(r.suggestedName, 'certbench.txt');
      const path = await ctx.dialogs.saveFile({ title: `Save ${defaultName}`, defaultName });
      if (path === undefined) return { canceled: true };
      // Commands files are scripts to run; the save dialog already asked before replacing a file.
      writeFiles([{ path, data: r.content, params: { executable: path.endsWith('.sh'), force: true, flag: '' } }]);
      return { canceled: false, path };
    },

    'clipboard:write': async (r) => {
      refuseSecretText(r.text, 'the clipboard');
      ctx.clipboard.writeText(r.text);
      return {};
    },
  };
}
