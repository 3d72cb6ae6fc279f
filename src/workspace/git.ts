// The lab notebook: a campaign works on branch nightshift/<campaign> in the user's repository, each
// code trial is one commit made in its own detached worktree under the state directory, and every
// trial's commit stays reachable under refs/nightshift/<campaign>/trials/<id>. Only refs and
// worktrees of our own are ever written: the user's branch, index and working tree are never touched
// (no checkout, reset or stash in the user's worktree).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { excludeFromGit } from '../paths.js';
import { checkScope, compileScope, matchesAny, type ScopeViolation } from './scope.js';
import { recoverWorkspace, type RecoverResult } from './recover.js';

export const TRAILER = 'Nightshift-Trial';

export class WorkspaceError extends Error {}

export interface WorkspaceOptions {
  /** A directory inside the user's repository (the campaign's workdir). */
  repo: string;
  campaign: string;
  stateDir: string;
  mutable: string[];
  frozen: string[];
  /**
   * A new campaign (not a resume): an earlier campaign's branch and refs of the same name are moved
   * aside under `<name>.<fresh>` when `fresh` is given (`run --fresh`), else refused.
   */
  start?: { fresh?: string };
}

export type PrepareResult =
  /** dir: the worktree's top level; workdir: the campaign's workdir inside it (where the trial runs). */
  | { kind: 'commit'; id: string; commit: string; dir: string; workdir: string; reused: boolean }
  | { kind: 'no-change'; id: string; message: string };

export type KeepResult = { kind: 'kept'; commit: string } | { kind: 'not-fast-forward'; tip: string; message: string };

/** Trial ids go into paths, ref names and a grep pattern: keep them to a safe alphabet. */
function checkId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) || id.includes('..') || id.endsWith('.lock')) {
    throw new WorkspaceError(`Trial id '${id}' cannot name a worktree or a git ref; use letters, digits, '.', '_' or '-'.`);
  }
}

export class Workspace {
  readonly branch: string;
  readonly worktreesDir: string;
  private constructor(
    readonly opts: WorkspaceOptions,
    readonly git: SimpleGit,
    /** The workdir's path from the repository's top level ('' or 'sub/dir/'). */
    readonly prefix: string,
  ) {
    this.branch = `nightshift/${opts.campaign}`;
    this.worktreesDir = path.join(opts.stateDir, 'worktrees');
  }

  static async open(opts: WorkspaceOptions): Promise<Workspace> {
    if (!fs.existsSync(opts.repo)) throw new WorkspaceError(`Workdir ${opts.repo} does not exist.`);
    const git = simpleGit({ baseDir: opts.repo });
    const inside = await git.raw(['rev-parse', '--is-inside-work-tree']).catch(() => '');
    if (inside.trim() !== 'true') {
      throw new WorkspaceError(
        `${opts.repo} is not inside a git repository. Code trials are commits on a campaign branch, so the workdir must be in a git repository: run 'git init' and commit your files there, or use a params-only proposer.`,
      );
    }
    const prefix = (await git.raw(['rev-parse', '--show-prefix'])).trim();
    const head = await git.raw(['rev-parse', '--verify', '-q', 'HEAD^{commit}']).catch(() => '');
    if (!head.trim()) {
      throw new WorkspaceError(`The repository at ${opts.repo} has no commit yet. Commit your files first: the campaign branch starts at your current commit.`);
    }
    const okName = await git.raw(['check-ref-format', '--branch', `nightshift/${opts.campaign}`]).catch(() => '');
    if (!okName.trim()) throw new WorkspaceError(`Campaign name '${opts.campaign}' cannot name a git branch; use letters, digits, '.', '_' or '-'.`);
    const ws = new Workspace(opts, git, prefix);
    await ws.refuseDirtyMutable();
    await ws.refuseCheckedOutBranch();
    if (opts.start && (await ws.leftovers())) {
      if (opts.start.fresh === undefined) {
        throw new WorkspaceError(
          `Branch ${ws.branch} (or refs under refs/nightshift/${opts.campaign}/) already exists, from an earlier campaign of this name whose state is gone. Run with --fresh to move it aside (renamed, not deleted), rename the campaign, or delete it yourself (git branch -D ${ws.branch}).`,
        );
      }
      await ws.archive(opts.start.fresh);
    }
    if (!(await ws.resolve(`refs/heads/${ws.branch}`))) {
      // update-ref with an all-zero old value creates the branch only if it does not exist yet.
      await git.raw(['update-ref', '-m', 'nightshift: campaign start', `refs/heads/${ws.branch}`, head.trim(), '0'.repeat(40)]);
    }
    fs.mkdirSync(ws.worktreesDir, { recursive: true });
    // Trial worktrees usually live under .nightshift/ in the user's tree: keep them out of `git status`.
    excludeFromGit(opts.stateDir);
    return ws;
  }

  /** Paths from `git` (relative to the top level) → relative to the workdir ('../x' when outside). */
  toWorkdir(topRel: string): string {
    if (!this.prefix) return topRel;
    if (topRel.startsWith(this.prefix)) return topRel.slice(this.prefix.length);
    return path.posix.relative(this.prefix.replace(/\/$/, ''), topRel);
  }

  private async refuseDirtyMutable(): Promise<void> {
    // Trials start from a commit, so an uncommitted edit to a mutable file would silently be left out.
    const raw = await this.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
    const mutable = compileScope(this.opts).mutable;
    const dirty = raw
      .split('\0')
      .filter((e) => e.length > 3)
      .map((e) => this.toWorkdir(e.slice(3)))
      .filter((p) => matchesAny(mutable, p));
    if (dirty.length > 0) {
      throw new WorkspaceError(
        `Refusing to start: ${dirty.length === 1 ? 'a mutable file has' : 'mutable files have'} uncommitted changes (${dirty.join(', ')}). Code trials start from your last commit, so these edits would be left out of every trial. Commit them (git commit -am '...') or stash them (git stash), then start again.`,
      );
    }
  }

  private async refuseCheckedOutBranch(): Promise<void> {
    // Moving a branch that is checked out somewhere would desynchronise that worktree's files.
    const list = await this.git.raw(['worktree', 'list', '--porcelain']);
    if (list.split('\n').includes(`branch refs/heads/${this.branch}`)) {
      throw new WorkspaceError(
        `Branch ${this.branch} is checked out in a worktree; nightshift moves it as trials are kept. Check out another branch (git switch -), then start again.`,
      );
    }
  }

  async resolve(ref: string): Promise<string | undefined> {
    const out = await this.git.raw(['rev-parse', '--verify', '-q', `${ref}^{commit}`]).catch(() => '');
    return out.trim() || undefined;
  }

  /** The campaign branch's commit: the incumbent's code. */
  async tip(): Promise<string> {
    const tip = await this.resolve(`refs/heads/${this.branch}`);
    if (!tip) throw new WorkspaceError(`Branch ${this.branch} has disappeared; was it deleted by hand?`);
    return tip;
  }

  trialRef(id: string): string {
    return `refs/nightshift/${this.opts.campaign}/trials/${id}`;
  }

  /** The workdir's counterpart inside a worktree (the worktree itself when workdir is the top level). */
  workdirIn(dir: string): string {
    return this.prefix ? path.join(dir, this.prefix.replace(/\/$/, '')) : dir;
  }

  worktreeDir(id: string): string {
    return path.join(this.worktreesDir, id);
  }

  /** The trial's value of the trailer in a commit's message, if any. */
  async trailerOf(commit: string): Promise<string | undefined> {
    const out = await this.git.raw(['log', '-1', `--format=%(trailers:key=${TRAILER},valueonly,separator=%x00)`, commit]).catch(() => '');
    return out.trim().split('\0')[0]?.trim() || undefined;
  }

  /** The commit already made for this trial (worktree HEAD, its ref, or the campaign's history). */
  async findTrialCommit(id: string): Promise<string | undefined> {
    checkId(id);
    const dir = this.worktreeDir(id);
    if (fs.existsSync(path.join(dir, '.git'))) {
      const head = (await simpleGit(dir).raw(['rev-parse', '-q', '--verify', 'HEAD']).catch(() => '')).trim();
      if (head && (await this.trailerOf(head)) === id) return head;
    }
    const ref = await this.resolve(this.trialRef(id));
    if (ref) return ref;
    const hits = await this.git.raw(['log', '--format=%H', '-F', `--grep=${TRAILER}: ${id}`, `refs/heads/${this.branch}`]);
    for (const c of hits.split('\n').filter(Boolean)) if ((await this.trailerOf(c)) === id) return c;
    return undefined;
  }

  /** `apply` edits the trial's workdir (inside a fresh worktree at baseCommit); its changes become the commit. */
  async prepareTrial(id: string, baseCommit: string, apply: (dir: string) => Promise<void>, hypothesis: string): Promise<PrepareResult> {
    checkId(id);
    const dir = this.worktreeDir(id);
    const existing = await this.findTrialCommit(id);
    if (existing) {
      // Resumed: the commit was made before the crash; give the trial a worktree at it, never a second commit.
      if ((await this.worktreeHead(dir)) !== existing) {
        await this.removeWorktree(id);
        await this.git.raw(['worktree', 'add', '--detach', dir, existing]);
      }
      return { kind: 'commit', id, commit: existing, dir, workdir: this.workdirIn(dir), reused: true };
    }
    await this.removeWorktree(id); // a half-made worktree from before a crash
    await this.git.raw(['worktree', 'add', '--detach', dir, baseCommit]);
    const wt = simpleGit(dir);
    try {
      await apply(this.workdirIn(dir));
      await wt.raw(['add', '-A']);
      const staged = await wt.raw(['diff', '--cached', '--name-only']);
      if (!staged.trim()) {
        await this.removeWorktree(id);
        return { kind: 'no-change', id, message: `Trial ${id} changed no file, so there is nothing to commit or run.` };
      }
      const message = `${hypothesis.trim() || `Trial ${id}`}\n\n${TRAILER}: ${id}\n`;
      // Trial commits are machine-made: skip the user's hooks and signing, fall back to a local identity.
      const ident = await this.identity();
      // The message goes through a file outside the worktree, so it is never part of the commit;
      // --cleanup=whitespace keeps a hypothesis line that starts with '#'.
      const msgFile = path.join(this.worktreesDir, `.${id}.msg`);
      fs.writeFileSync(msgFile, message);
      try {
        await wt.raw([...ident, '-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '--cleanup=whitespace', '-F', msgFile]);
      } finally {
        fs.rmSync(msgFile, { force: true });
      }
      // No ref yet: while the trial runs its worktree's HEAD keeps the commit alive (gc honours every
      // worktree's HEAD); keep or discard writes the ref once the trial is decided.
      const commit = (await wt.raw(['rev-parse', 'HEAD'])).trim();
      return { kind: 'commit', id, commit, dir, workdir: this.workdirIn(dir), reused: false };
    } catch (e) {
      await this.removeWorktree(id).catch(() => undefined);
      throw e;
    }
  }

  private async identity(): Promise<string[]> {
    const email = (await this.git.raw(['config', 'user.email']).catch(() => '')).trim();
    const name = (await this.git.raw(['config', 'user.name']).catch(() => '')).trim();
    return email && name ? [] : ['-c', 'user.name=nightshift', '-c', 'user.email=nightshift@localhost'];
  }

  private async worktreeHead(dir: string): Promise<string | undefined> {
    if (!fs.existsSync(path.join(dir, '.git'))) return undefined;
    const out = await simpleGit(dir).raw(['rev-parse', '-q', '--verify', 'HEAD']).catch(() => '');
    return out.trim() || undefined;
  }

  /** Kept: the campaign branch moves to the trial's commit, only as a fast-forward. */
  async keep(id: string, commit: string): Promise<KeepResult> {
    checkId(id);
    const tip = await this.tip();
    // simple-git does not reject on a silent non-zero exit, so compare the merge base instead of
    // relying on `merge-base --is-ancestor`'s exit status.
    const mb = (await this.git.raw(['merge-base', tip, commit]).catch(() => '')).trim();
    const ff = mb === tip;
    if (!ff) {
      return {
        kind: 'not-fast-forward',
        tip,
        message: `Trial ${id} (${commit.slice(0, 7)}) does not build on the campaign branch's tip ${tip.slice(0, 7)} (another trial was kept meanwhile), so ${this.branch} was not moved; rebase the trial onto the tip and run it again.`,
      };
    }
    await this.git.raw(['update-ref', '-m', `nightshift: keep ${id}`, `refs/heads/${this.branch}`, commit, tip]);
    await this.git.raw(['update-ref', this.trialRef(id), commit]);
    return { kind: 'kept', commit };
  }

  /**
   * Kept although not a fast-forward (a parallel code trial from an older base won after another
   * was kept): the campaign branch is nightshift's, and its tip must be the best code, so it moves
   * anyway; the commit it leaves stays reachable under its trial ref, and the reflog says why.
   */
  async moveBranch(id: string, commit: string, from: string): Promise<void> {
    checkId(id);
    await this.git.raw(['update-ref', '-m', `nightshift: keep ${id} (not a fast-forward from ${from.slice(0, 7)}: it scored better)`, `refs/heads/${this.branch}`, commit, from]);
    await this.git.raw(['update-ref', this.trialRef(id), commit]);
  }

  /**
   * Whether an earlier campaign of this name left its branch or trial refs: a new campaign must not
   * inherit them (trial ids restart at 1, and a trial's commit is found by its id).
   */
  async leftovers(): Promise<boolean> {
    if (await this.resolve(`refs/heads/${this.branch}`)) return true;
    const refs = await this.git.raw(['for-each-ref', '--format=%(refname)', `refs/nightshift/${this.opts.campaign}/`]);
    return refs.trim() !== '';
  }

  /** Moves an earlier campaign's branch and refs aside (`--fresh`), under `<name>.<stamp>`. */
  async archive(stamp: string): Promise<string> {
    const to = `${this.opts.campaign}.${stamp}`;
    const tip = await this.resolve(`refs/heads/${this.branch}`);
    if (tip) {
      await this.git.raw(['update-ref', '-m', 'nightshift: --fresh', `refs/heads/nightshift/${to}`, tip]);
      await this.git.raw(['update-ref', '-d', `refs/heads/${this.branch}`]);
    }
    const refs = await this.git.raw(['for-each-ref', '--format=%(refname) %(objectname)', `refs/nightshift/${this.opts.campaign}/`]);
    for (const line of refs.split('\n').filter(Boolean)) {
      const [ref, sha] = line.split(' ');
      await this.git.raw(['update-ref', ref.replace(`refs/nightshift/${this.opts.campaign}/`, `refs/nightshift/${to}/`), sha]);
      await this.git.raw(['update-ref', '-d', ref]);
    }
    return `nightshift/${to}`;
  }

  /** A plain worktree at `commit` for a trial that changes no code (a param trial runs on the tip). */
  async checkout(id: string, commit: string): Promise<{ dir: string; workdir: string }> {
    checkId(id);
    const dir = this.worktreeDir(id);
    if ((await this.worktreeHead(dir)) !== commit) {
      await this.removeWorktree(id);
      await this.git.raw(['worktree', 'add', '--detach', dir, commit]);
    }
    return { dir, workdir: this.workdirIn(dir) };
  }

  /** Discarded, crashed, pruned or invalid: the commit stays reachable under the campaign's refs. */
  async discard(id: string, commit: string): Promise<void> {
    checkId(id);
    await this.git.raw(['update-ref', '-m', `nightshift: discard ${id}`, this.trialRef(id), commit]);
  }

  async removeWorktree(id: string): Promise<void> {
    checkId(id);
    const dir = this.worktreeDir(id);
    if (fs.existsSync(dir)) {
      await this.git.raw(['worktree', 'remove', '--force', '--force', dir]).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await this.git.raw(['worktree', 'prune']);
  }

  /** Paths changed between two commits, relative to the workdir (a rename shows both sides). */
  async changedFiles(base: string, commit: string): Promise<string[]> {
    const out = await this.git.raw(['diff', '--name-only', '-z', '--no-renames', base, commit]);
    return out.split('\0').filter(Boolean).map((p) => this.toWorkdir(p));
  }

  /** The paths of a commit that are frozen or outside the mutable globs (empty when it is in scope). */
  async checkCommit(base: string, commit: string): Promise<ScopeViolation[]> {
    return checkScope(await this.changedFiles(base, commit), this.opts);
  }

  /** `keep`: trial ids whose worktree must survive as it is (running trials, param trials' plain checkouts). */
  recover(keep?: ReadonlySet<string>): Promise<RecoverResult> {
    return recoverWorkspace(this, keep);
  }
}

export function openWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
  return Workspace.open(opts);
}
