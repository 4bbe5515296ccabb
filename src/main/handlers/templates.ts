import { mkdirSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fail, InputError } from '../../core/errors.js';
import { readInputFile } from '../../core/pki/decode.js';
import { parseOpensslCnf, templateVariables } from '../../core/pki/openssl-cnf.js';
import type { TemplateInfo } from '../../shared/contract.js';
import { refuseSecretText, writeFiles } from './common.js';
import type { HandlerContext, HandlerGroup } from './types.js';

const EXT = '.cnf';
// A template's file stem: it becomes a file name, so no separators, no leading dot.
const STEM_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

type Source = TemplateInfo['source'];

function folderOf(ctx: HandlerContext, source: Source): string {
  return source === 'shipped' ? ctx.templatesDir : join(ctx.dataDir, 'templates');
}

// Template files are small text; the same size limit as every other input.
async function readText(path: string, label: string): Promise<string> {
  const text = Buffer.from(await readInputFile(path, label)).toString('utf8');
  if (text.includes('\u0000')) fail('unknown-content', 'this is not a text file (it holds NUL bytes), so not an OpenSSL config', label);
  if (text.trim().length === 0) fail('empty', 'the file is empty', label);
  // A key picked by mistake must not travel to the renderer as "template text".
  refuseSecretText(text, `${label}: a template`);
  return text;
}

function parseId(id: string): { source: Source; stem: string } {
  const m = /^(shipped|saved):(.*)$/.exec(id);
  if (!m || !STEM_RE.test(m[2]!)) fail('not-found', `there is no template "${id.slice(0, 120).replace(/[^\x20-\x7e]/g, '?')}"`);
  return { source: m[1] as Source, stem: m[2]! };
}

/**
 * The slug a template is saved under: lower-case letters, digits, '.', '_' and '-'.
 * @throws InputError `invalid-value` for a name with path separators or control characters, or nothing usable
 */
export function templateSlug(name: string): string {
  const n = name.trim();
  if (/[/\\]/.test(n)) fail('invalid-value', `the template name "${n.replace(CONTROL_RE, '?')}" contains "/" or "\\"; a name cannot point into folders`);
  if (CONTROL_RE.test(n)) fail('invalid-value', 'the template name contains a control character');
  const slug = n.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '').slice(0, 100);
  if (!STEM_RE.test(slug)) fail('invalid-value', `the template name "${n}" needs at least one letter or digit`);
  return slug;
}

async function listFolder(ctx: HandlerContext, source: Source): Promise<TemplateInfo[]> {
  const dir = folderOf(ctx, source);
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => extname(f) === EXT && STEM_RE.test(basename(f, EXT))).sort();
  } catch {
    // No saved templates yet (or no shipped folder in this build): nothing to list.
    return [];
  }
  const out: TemplateInfo[] = [];
  for (const f of names) {
    const stem = basename(f, EXT);
    try {
      const text = await readText(join(dir, f), f);
      out.push({ id: `${source}:${stem}`, name: stem, source, variables: templateVariables(text) });
    } catch (e) {
      // One unreadable file (a folder named *.cnf, an oversized file) must not hide the others.
      if (!(e instanceof InputError)) throw e;
    }
  }
  return out;
}

/** templates:list, templates:read, templates:parse, templates:save, templates:import. */
export function templateHandlers(ctx: HandlerContext): HandlerGroup<'templates:list' | 'templates:read' | 'templates:parse' | 'templates:save' | 'templates:import'> {
  return {
    'templates:list': async () => [...(await listFolder(ctx, 'shipped')), ...(await listFolder(ctx, 'saved'))],

    'templates:read': async (r) => {
      const { source, stem } = parseId(r.id);
      let text: string;
      try {
        text = await readText(join(folderOf(ctx, source), `${stem}${EXT}`), `template ${stem}`);
      } catch (e) {
        if (e instanceof InputError && e.code === 'not-found') fail('not-found', `there is no ${source} template "${stem}"`);
        throw e;
      }
      return { id: r.id, name: stem, text, variables: templateVariables(text) };
    },

    'templates:parse': async (r) => {
      const variables = templateVariables(r.text);
      // Fields left blank in the form count as not filled in.
      const vars = Object.fromEntries(Object.entries(r.vars).map(([k, v]) => [k, v.trim()]));
      const missing = variables.filter((n) => (vars[n] ?? '') === '');
      if (missing.length > 0) return { variables, missing };
      const t = parseOpensslCnf(r.text, vars, 'template');
      return { variables, missing, template: { subject: t.subject, sans: t.sans, keyUsage: t.keyUsage, extendedKeyUsage: t.extendedKeyUsage } };
    },

    'templates:save': async (r) => {
      const slug = templateSlug(r.name);
      if (r.text.trim().length === 0) fail('empty', 'the template is empty');
      if (r.text.includes('\u0000')) fail('unknown-content', 'the template holds NUL bytes; it is not a text file');
      refuseSecretText(r.text, 'a template');
      const dir = folderOf(ctx, 'saved');
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        fail('not-found', `cannot create the templates folder ${dir}`);
      }
      // Saving under an existing name replaces that template, as "Save as" with the same name would.
      writeFiles([{ path: join(dir, `${slug}${EXT}`), data: r.text, params: { force: true, flag: '' } }]);
      return { id: `saved:${slug}`, name: slug, source: 'saved', variables: templateVariables(r.text) };
    },

    'templates:import': async () => {
      const paths = await ctx.dialogs.openFiles({
        title: 'Import an OpenSSL request config',
        filters: [{ name: 'OpenSSL config', extensions: ['cnf', 'conf', 'txt'] }, { name: 'All files', extensions: ['*'] }],
        multiple: false,
      });
      if (paths === undefined || paths.length === 0) return { canceled: true };
      if (paths.length > 1) fail('invalid-value', `${paths.length} files were chosen; import one template at a time`);
      const file = basename(paths[0]!);
      const text = await readText(paths[0]!, file);
      return { canceled: false, name: basename(file, extname(file)), text, variables: templateVariables(text) };
    },
  };
}
