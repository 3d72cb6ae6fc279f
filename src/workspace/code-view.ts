// The campaign's code as a code proposer sees it (CodeView in src/types.ts), over the git workspace:
// mutable files are read from commits with `git ls-tree` / `git cat-file` (the user's tree is never
// checked out or touched), and a model's edits are tried in one scratch worktree, reset between
// tries and removed by release(), so the diff a proposal carries is exactly what applied.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import type { CodeEdit, CodeView, TryEditsResult } from '../types.js';
import { applyEdits } from './edits.js';
import type { Workspace } from './git.js';
import type { EditRules } from './guard.js';
import { matchesAny } from './glob.js';

/** A CodeView that can also drop its scratch worktree (the proposer calls this when its call ends). */
export interface ScratchCodeView extends CodeView {
  release(): Promise<void>;
}

let scratchCount = 0;

export function createCodeView(ws: Workspace, rules: EditRules = ws.opts): ScratchCodeView {
  // Dot-named so recovery after a crash clears it as "not a trial" and never mistakes it for one.
  const scratch = path.join(ws.worktreesDir, `.scratch-${process.pid}-${++scratchCount}`);
  let scratchAt: string | undefined;
  // One try at a time: they share the scratch worktree.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const next = chain.then(job, job);
    chain = next.catch(() => undefined);
    return next;
  };

  const top = (rel: string): string => `${ws.prefix}${rel}`;

  // A commit's tree never changes: its file list is read once (the proposer reads every file).
  const listed = new Map<string, string[]>();

  async function list(commit?: string): Promise<string[]> {
    const at = commit ?? (await ws.tip());
    const hit = listed.get(at);
    if (hit) return [...hit];
    const out = await ws.git.raw(['ls-tree', '-r', '-z', '--full-name', at]);
    const files: string[] = [];
    for (const entry of out.split('\0').filter(Boolean)) {
      // "<mode> <type> <sha>\t<path>": symlinks (120000) and submodules are never shown or edited.
      const tab = entry.indexOf('\t');
      const [mode, type] = entry.slice(0, tab).split(' ');
      if (type !== 'blob' || mode === '120000') continue;
      const rel = ws.toWorkdir(entry.slice(tab + 1));
      if (rel.startsWith('../')) continue;
      if (matchesAny(rel, rules.mutable) && !matchesAny(rel, rules.frozen)) files.push(rel);
    }
    files.sort();
    if (/^[0-9a-f]{40,64}$/.test(at)) listed.set(at, files);
    return files;
  }

  async function read(rel: string, commit?: string): Promise<string> {
    const at = commit ?? (await ws.tip());
    // Only mutable files: the evaluator and frozen files stay out of every prompt.
    if (!(await list(at)).includes(rel)) throw new Error(`${rel} is not a mutable file at ${at.slice(0, 7)}.`);
    return ws.git.raw(['cat-file', 'blob', `${at}:${top(rel)}`]);
  }

  async function checkout(base: string): Promise<string> {
    if (scratchAt !== undefined && fs.existsSync(path.join(scratch, '.git'))) {
      const wt = simpleGit(scratch);
      await wt.raw(['reset', '-q', '--hard', base]);
      await wt.raw(['clean', '-q', '-fdx']);
    } else {
      await removeScratch();
      fs.mkdirSync(ws.worktreesDir, { recursive: true });
      await ws.git.raw(['worktree', 'add', '--detach', scratch, base]);
    }
    scratchAt = base;
    return scratch;
  }

  async function tryEdits(base: string, edits: readonly CodeEdit[]): Promise<TryEditsResult> {
    return serial(async () => {
      const dir = await checkout(base);
      const r = await applyEdits(ws.workdirIn(dir), edits, rules);
      if (!r.ok) return r;
      const wt = simpleGit(ws.workdirIn(dir));
      await wt.raw(['add', '-A', '.']);
      // Relative to the workdir with a/ b/ prefixes: what the prepare stage applies to `base`.
      const diff = await wt.raw([
        '-c', 'core.quotePath=false', 'diff', '--cached', '--relative', '--no-color', '--no-ext-diff',
        '--no-renames', '--src-prefix=a/', '--dst-prefix=b/',
      ]);
      if (diff.trim() === '') return { ok: false, reason: 'the edits leave every file exactly as it was.', feedback: 'the edits leave every file exactly as it was; change something.' };
      return { ok: true, diff, files: r.files };
    });
  }

  async function removeScratch(): Promise<void> {
    scratchAt = undefined;
    if (fs.existsSync(scratch)) {
      await ws.git.raw(['worktree', 'remove', '--force', '--force', scratch]).catch(() => undefined);
      fs.rmSync(scratch, { recursive: true, force: true });
    }
    await ws.git.raw(['worktree', 'prune']);
  }

  return {
    base: () => ws.tip(),
    list,
    read,
    tryEdits,
    release: () => serial(removeScratch),
  };
}
