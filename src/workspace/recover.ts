// Resume after kill -9: find the campaign's trial worktrees and refs again. A worktree whose HEAD is
// a commit carrying its trial's trailer is a finished prepare (the trial can run or be decided);
// any other worktree directory is half-made and removed, so the next
// prepareTrial for that id starts clean, and a trial never gets two commits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit } from 'simple-git';
import type { Workspace } from './git.js';

export interface RecoverResult {
  /** Trial id → commit, for every trial with a commit (from worktrees and refs). */
  trials: Map<string, string>;
  /** Trial ids whose worktree survived with its commit (ready to run or evaluate). */
  worktrees: string[];
  /** Worktree directories removed as half-made. */
  removed: string[];
}

export async function recoverWorkspace(ws: Workspace, keep: ReadonlySet<string> = new Set()): Promise<RecoverResult> {
  // Registrations whose directory is gone (crash before or during `worktree add`) go first.
  await ws.git.raw(['worktree', 'prune']);
  const trials = new Map<string, string>();
  const worktrees: string[] = [];
  const removed: string[] = [];
  const entries = fs.existsSync(ws.worktreesDir) ? fs.readdirSync(ws.worktreesDir, { withFileTypes: true }) : [];
  for (const e of entries) {
    const dir = path.join(ws.worktreesDir, e.name);
    if (!e.isDirectory()) {
      if (e.name.endsWith('.msg')) fs.rmSync(dir, { force: true }); // a commit message left by a crash
      continue;
    }
    const id = e.name;
    const head = fs.existsSync(path.join(dir, '.git'))
      ? (await simpleGit(dir).raw(['rev-parse', '-q', '--verify', 'HEAD']).catch(() => '')).trim()
      : '';
    // Files the trial itself wrote (outputs, caches) do not make the worktree half-made: the commit does.
    if (head && (await ws.trailerOf(head)) === id) {
      trials.set(id, head);
      worktrees.push(id);
    } else if (head && keep.has(id)) {
      // A trial still running (its process outlived the supervisor) works in it: not ours to pull away.
      worktrees.push(id);
    } else if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
      await ws.removeWorktree(id);
      removed.push(id);
    } else {
      // Not a name nightshift makes: not ours to interpret, but it sits in our directory, so clear it.
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(id);
    }
  }
  await ws.git.raw(['worktree', 'prune']);
  const refs = await ws.git.raw(['for-each-ref', '--format=%(refname) %(objectname)', `refs/nightshift/${ws.opts.campaign}/trials/`]);
  const prefix = `refs/nightshift/${ws.opts.campaign}/trials/`;
  for (const line of refs.split('\n').filter(Boolean)) {
    const [ref, sha] = line.split(' ');
    if (ref.startsWith(prefix)) trials.set(ref.slice(prefix.length), sha);
  }
  return { trials, worktrees: worktrees.sort(), removed: removed.sort() };
}
