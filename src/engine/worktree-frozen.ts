// Frozen files a code trial changed in its own worktree while it ran. The evaluator never runs the
// worktree's copy (it runs the clean copy, evaluator-copy.ts), but a trial that edits evaluate.py or
// the data beside it was trying to, and is invalid for it, as one that edits the workdir's is.
// Git knows what changed since the trial's commit: modified, deleted and new files.
import { execFile } from 'node:child_process';
import { globToRegExp } from '../workspace/glob.js';

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** Frozen paths (relative to the campaign workdir inside the worktree) that differ from the trial's commit. */
export async function worktreeFrozenChanged(worktreeWorkdir: string, frozen: string[]): Promise<string[]> {
  if (frozen.length === 0) return [];
  let prefix: string;
  let status: string;
  try {
    prefix = (await git(worktreeWorkdir, ['rev-parse', '--show-prefix'])).trim();
    status = await git(worktreeWorkdir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', '.']);
  } catch {
    // The worktree is gone or not a git tree: nothing to compare (the workdir check still holds).
    return [];
  }
  const globs = frozen.map((g) => g.replace(/^\.\//, ''));
  const res = globs.map((g) => (/[*?{]/.test(g) ? globToRegExp(g) : null));
  const changed = new Set<string>();
  // -z records: "XY path\0"; paths are relative to the repository's top.
  for (const rec of status.split('\0')) {
    if (rec.length < 4) continue;
    const top = rec.slice(3);
    if (!top.startsWith(prefix)) continue;
    const rel = top.slice(prefix.length);
    const hit = globs.some((g, i) => (res[i] ? res[i]!.test(rel) : rel === g || rel.startsWith(g.replace(/\/$/, '') + '/')));
    if (hit) changed.add(rel);
  }
  return [...changed].sort();
}
