// Kept trials of campaigns with `mutable:` name a commit (trial.prepared): it must still exist in the
// workdir's repository and be reachable from a ref (the campaign branch or refs/nightshift/…), or the
// code a kept score belongs to is gone.
import { spawnSync } from 'node:child_process';
import type { TrialState } from '../state.js';

function git(cwd: string, args: string[]): { ok: boolean; out: string; missing: boolean } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: r.stdout ?? '', missing: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' };
}

export interface CommitCheck {
  checked: number;
  problems: string[];
}

export function checkCommits(workdir: string, kept: TrialState[]): CommitCheck {
  const withCommit = kept.filter((t) => t.commit);
  if (withCommit.length === 0) return { checked: 0, problems: [] };
  const probe = git(workdir, ['rev-parse', '--is-inside-work-tree']);
  if (probe.missing) return { checked: 0, problems: [`${withCommit.length} kept trial(s) name a commit, but git is not installed here, so none could be checked. Install git and run verify again.`] };
  if (!probe.ok) return { checked: 0, problems: [`${withCommit.length} kept trial(s) name a commit, but ${workdir} is no longer inside a git repository, so their code cannot be found.`] };
  const problems: string[] = [];
  for (const t of withCommit) {
    const c = t.commit!;
    if (!/^[0-9a-f]{7,64}$/i.test(c) || !git(workdir, ['cat-file', '-e', `${c}^{commit}`]).ok) {
      problems.push(`Kept trial #${t.id} names commit ${c}, which does not exist in the repository of ${workdir}: the code it was scored on is gone (history rewritten, or the journal edited).`);
      continue;
    }
    const refs = git(workdir, ['for-each-ref', '--count=1', '--contains', c, '--format=%(refname)']);
    if (!refs.ok || refs.out.trim() === '') {
      problems.push(`Kept trial #${t.id}'s commit ${c} exists but no branch or ref contains it, so \`git gc\` may delete it: the campaign branch or its refs/nightshift/… ref was moved or deleted.`);
    }
  }
  return { checked: withCommit.length, problems };
}
