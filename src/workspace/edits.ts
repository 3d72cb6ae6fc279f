// Applying a proposal's edits to a working tree. All edits are first checked and computed in
// memory; only when every path is allowed and every edit applies are files written, so a
// refused or failed proposal leaves the tree untouched.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanPath, refusePath, type EditRules } from './guard.js';
import { applyHunks, parseUnifiedDiff } from './hunks.js';
import type { Edit } from './reply.js';
import { applySearchReplace } from './search-replace.js';

export { parseReply, type Edit, type Proposal, type ParsedReply } from './reply.js';
export type { EditRules } from './guard.js';

export type ApplyResult =
  | { ok: true; files: string[] }
  | { ok: false; reason: string; feedback: string };

/** One file-level change: new content, or null to delete. */
interface Change {
  path: string;
  content: string | null;
}

function changesOf(edits: readonly Edit[]): { step: Edit; paths: string[] }[] | string {
  const out: { step: Edit; paths: string[] }[] = [];
  for (const e of edits) {
    if (e.kind === 'diff') {
      const patches = parseUnifiedDiff(e.text);
      if (typeof patches === 'string') return patches;
      out.push({ step: e, paths: patches.flatMap((p) => [p.oldPath, p.newPath].filter((x): x is string => x !== null)) });
    } else out.push({ step: e, paths: [e.path] });
  }
  return out;
}

const fail = (reason: string, feedback = reason): ApplyResult => ({ ok: false, reason, feedback });

export async function applyEdits(dir: string, edits: readonly Edit[], rules: EditRules): Promise<ApplyResult> {
  if (edits.length === 0) return fail('the proposal contains no edit.');
  const steps = changesOf(edits);
  if (typeof steps === 'string') return fail(steps);
  for (const p of new Set(steps.flatMap((s) => s.paths))) {
    const why = await refusePath(dir, p, rules);
    if (why) return fail(why, `${why} Only these files may change: ${rules.mutable.join(', ')}.`);
  }

  // The tree as the edits see it: files read once, later edits see earlier ones.
  const state = new Map<string, string | null>();
  const current = async (rel: string): Promise<string | null> => {
    const key = cleanPath(rel);
    if (!state.has(key)) state.set(key, await readFile(path.join(dir, key), 'utf8').catch(() => null));
    return state.get(key)!;
  };
  for (const { step } of steps) {
    if (step.kind === 'rewrite') {
      state.set(cleanPath(step.path), step.content);
    } else if (step.kind === 'search_replace') {
      const r = applySearchReplace(step.path, await current(step.path), step.search, step.replace);
      if (!r.ok) return r;
      state.set(cleanPath(step.path), r.content);
    } else {
      const patches = parseUnifiedDiff(step.text) as Exclude<ReturnType<typeof parseUnifiedDiff>, string>;
      for (const p of patches) {
        const target = (p.newPath ?? p.oldPath)!;
        const before = p.oldPath === null ? null : await current(p.oldPath);
        if (p.oldPath !== null && before === null) return fail(`the diff changes ${p.oldPath}, which does not exist.`);
        if (p.oldPath === null && (await current(target)) !== null) {
          return fail(`the diff creates ${target}, which already exists.`);
        }
        if (p.newPath === null) {
          state.set(cleanPath(p.oldPath!), null);
          continue;
        }
        const text = before ?? '';
        const eol = text === '' || text.endsWith('\n');
        const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
        const r = applyHunks(target, lines, p.hunks);
        if (!r.ok) return r;
        if (p.oldPath !== null && cleanPath(p.oldPath) !== cleanPath(target)) state.set(cleanPath(p.oldPath), null);
        state.set(cleanPath(target), r.lines.join('\n') + (eol && r.lines.length > 0 ? '\n' : ''));
      }
    }
  }

  const changes: Change[] = [];
  for (const [p, content] of state) {
    const was = await readFile(path.join(dir, p), 'utf8').catch(() => null);
    if (was !== content) changes.push({ path: p, content });
  }
  if (changes.length === 0) return fail('the edits leave every file exactly as it was.');
  try {
    for (const c of changes) {
      const abs = path.join(dir, c.path);
      if (c.content === null) await rm(abs, { force: true });
      else {
        await mkdir(path.dirname(abs), { recursive: true });
        await writeFile(abs, c.content);
      }
    }
  } catch (err) {
    // Every check passed, so this is the disk (full, read-only), not the model; the trial's
    // worktree is thrown away by the caller.
    return fail(`writing the edited files failed: ${(err as Error).message}`);
  }
  return { ok: true, files: changes.map((c) => c.path).sort() };
}
