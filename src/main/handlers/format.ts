import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { assembleBundle, formatFor, type FormatResult } from '../../core/targets/index.js';
import type { RequestOf } from '../../shared/contract.js';
import { writeFiles } from './common.js';
import type { HandlerContext, HandlerGroup } from './types.js';

const TARGET_NAMES = { junos: 'Junos', apstra: 'Apstra', sps: 'SPS', sdcloud: 'Security Director Cloud' } as const;

type FormatRequest = RequestOf<'format:build'>;

// Builds the bundle from the session's items and formats it; a refusal is the core's InputError.
function build(ctx: HandlerContext, r: FormatRequest): FormatResult {
  const key = ctx.store.get(r.keyId, ['private-key'], 'key');
  const cert = ctx.store.get(r.certId, ['certificate'], 'certificate');
  // A form may list the leaf or one certificate twice; the chain is what is above the leaf, once each.
  const chainIds = [...new Set(r.chainIds.filter((id) => id !== '' && id !== r.certId))];
  const chain = chainIds.map((id) => ctx.store.get(id, ['certificate'], 'chain certificate'));
  const csr = r.csrId ? ctx.store.get(r.csrId, ['csr'], 'CSR') : undefined;
  const bundle = assembleBundle({ key: [key.item], cert: [cert.item], chain: chain.map((c) => [c.item]), ...(csr ? { csr: [csr.item] } : {}) });
  // The certificate-id is Junos's; the form may still hold one after switching targets.
  const certId = r.target === 'junos' ? r.junosCertId?.trim() : undefined;
  try {
    return formatFor(r.target, bundle, { ...(certId ? { certId } : {}), ...(ctx.now ? { now: ctx.now() } : {}) });
  } catch (e) {
    // The core names the CLI flag; the form calls the field certificate-id.
    if (e instanceof InputError && e.file === '--cert-id') throw new InputError(e.code, e.message.replace(/^--cert-id: /, 'certificate-id: '), { file: 'certificate-id' });
    throw e;
  }
}

/** format:build and format:save. */
export function formatHandlers(ctx: HandlerContext): HandlerGroup<'format:build' | 'format:save'> {
  return {
    'format:build': async (r) => {
      const result = build(ctx, r);
      return {
        target: result.target,
        // Key files are listed so the UI can say what will be written, but their content stays here.
        files: result.files.map((f) => ({ name: f.name, secret: f.secret, description: f.description, ...(f.secret ? {} : { content: f.content }) })),
        warnings: result.warnings,
      };
    },
    'format:save': async (r) => {
      // A refusal comes before the dialog: nothing to choose a folder for.
      const result = build(ctx, r);
      const dir = await ctx.dialogs.chooseFolder({ title: `Choose the folder for the ${TARGET_NAMES[r.target]} files` });
      if (dir === undefined) return { canceled: true, written: [] };
      const paths = result.files.map((f) => join(dir, f.name));
      const existing = result.files.filter((_f, i) => existsSync(paths[i]!)).map((f) => f.name);
      if (existing.length > 0 && !r.force) {
        throw new InputError('exists', `${dir} already holds ${existing.join(', ')}; nothing was written: choose another folder, or replace the files`, { file: dir });
      }
      writeFiles(result.files.map((f, i) => ({
        path: paths[i]!,
        data: f.content,
        params: { secret: f.secret, executable: f.name.endsWith('.sh'), force: r.force ?? false, flag: '' },
      })));
      return { canceled: false, dir, written: paths };
    },
  };
}
