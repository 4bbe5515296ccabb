import { basename } from 'node:path';
import { fail } from '../../core/errors.js';
import { readInputFile } from '../../core/pki/decode.js';
import { describeMatch, match, mismatched, type MatchResult } from '../../core/pki/match.js';
import type { StoredItem } from '../session-store.js';
import { decodeFiles, pemOf, suggestedName, writeFiles } from './common.js';
import type { HandlerContext, HandlerGroup } from './types.js';

/** As many files as items:decode takes at once. */
const MAX_OPEN_FILES = 64;

const OPEN_FILTERS = [
  { name: 'Certificates, keys and CSRs', extensions: ['pem', 'crt', 'cer', 'der', 'key', 'csr', 'req', 'p12', 'pfx', 'pub', 'txt'] },
  { name: 'All files', extensions: ['*'] },
];

const SAVE_EXT = { 'certificate': '.crt', 'csr': '.csr', 'public-key': '.pub' } as const;

// The entries match() counts, in its order: no bare public keys, and per file only its first
// certificate (the leaf of a bundle). Kept beside match() so each result row gets its item's id.
function counted(entries: StoredItem[]): StoredItem[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    if (e.item.kind === 'public-key') return false;
    if (e.item.kind !== 'certificate') return true;
    if (seen.has(e.source)) return false;
    seen.add(e.source);
    return true;
  });
}

/** items:decode, items:open, items:forget, items:match, items:save. */
export function itemHandlers(ctx: HandlerContext): HandlerGroup<'items:decode' | 'items:open' | 'items:forget' | 'items:match' | 'items:save'> {
  const now = (): Date => ctx.now?.() ?? new Date();
  return {
    'items:decode': async (r) =>
      decodeFiles(r.files.map((f) => ({ name: f.name, base64: f.dataBase64 })), r.passphrase, ctx.store, now()),

    'items:open': async (r) => {
      const paths = await ctx.dialogs.openFiles({ title: 'Open certificates, keys and CSRs', filters: OPEN_FILTERS });
      if (paths === undefined || paths.length === 0) return { canceled: true, items: [], errors: [] };
      if (paths.length > MAX_OPEN_FILES) fail('too-large', `${paths.length} files were chosen; open at most ${MAX_OPEN_FILES} at once`);
      // The bytes stay in main; the renderer sees only what each file holds.
      const files = paths.map((path) => ({ name: basename(path), read: () => readInputFile(path, basename(path)) }));
      return { canceled: false, ...(await decodeFiles(files, r.passphrase, ctx.store, now())) };
    },

    'items:forget': async (r) => {
      ctx.store.forget(r.ids);
      return {};
    },

    'items:match': async (r) => {
      const entries = [...new Map(r.ids.map((id) => [id, ctx.store.get(id)])).values()];
      // Files are told apart by where they came from, not by name: "pasted text" can come twice.
      const result = match(entries.map((e) => ({ ...e.item, file: e.source })));
      const rows = counted(entries);
      if (rows.length !== result.items.length) throw new Error('items:match: the counted items and the match result disagree');
      const shown: MatchResult = { match: result.match, items: result.items.map((x, i) => ({ ...x, file: rows[i]!.item.file })) };
      const odd = new Set(mismatched(shown));
      return {
        match: shown.match,
        message: describeMatch(shown),
        items: shown.items.map((x, i) => ({ id: rows[i]!.id, file: x.file, kind: x.kind, spkiSha256: x.spkiSha256, differs: odd.has(x) })),
      };
    },

    'items:save': async (r) => {
      const stored = ctx.store.get(r.id, undefined, 'item');
      if (stored.item.kind === 'private-key') {
        fail('wrong-kind', 'private keys are saved with "Save key…", which writes them with mode 0600 and can encrypt them');
      }
      const pem = pemOf(stored.item)!;
      const what = { 'certificate': 'certificate', 'csr': 'certificate signing request', 'public-key': 'public key' }[stored.item.kind];
      const path = await ctx.dialogs.saveFile({ title: `Save the ${what}`, defaultName: suggestedName(stored, SAVE_EXT[stored.item.kind]) });
      if (path === undefined) return { canceled: true };
      writeFiles([{ path, data: pem, params: { force: true, flag: '' } }]);
      return { canceled: false, path };
    },
  };
}
