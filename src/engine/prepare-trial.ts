// Preparing one trial of a campaign with `mutable:` files, before it may take a slot: a code trial
// gets its commit in its own worktree (edit applied under the mutable/frozen rules, committed, the
// changed Python still compiles, not a duplicate, the optional `preflight:` command passes); a
// param trial gets a plain worktree at the campaign branch's tip, so it runs on the kept code.
// Every failure is a reason prefixed by its stage; the caller decides the trial `invalid` with it.
import { spawn } from 'node:child_process';
import type { CampaignConfig } from '../config/types.js';
import type { TrialState } from '../state.js';
import { applyEdits } from '../workspace/edits.js';
import { listMutable } from '../workspace/files.js';
import type { Workspace } from '../workspace/git.js';
import { normalisedDigest, preflight } from '../workspace/preflight.js';
import { paramsJson } from './command.js';

export type Prepared =
  | { ok: true; commit: string; base: string; workdir: string; digest?: string }
  /** commit: made before the failure (its ref is kept like any undecided trial's). */
  | { ok: false; reason: string; commit?: string };

export interface PrepareInputs {
  ws: Workspace;
  config: CampaignConfig;
  /** The campaign branch's tip now. */
  tip: string;
  /**
   * Records this trial's digest and returns the id of another trial with the same one, if any.
   * Synchronous, so two trials prepared at once cannot both pass as originals.
   */
  claim: (id: number, digest: string) => number | undefined;
  /** Runs git work one piece at a time (worktree add/remove and commits share the repository). */
  locked: <T>(fn: () => Promise<T>) => Promise<T>;
}

class ApplyFailed extends Error {}

const OUTPUT_TAIL = 12;

export async function prepareTrial(t: TrialState, x: PrepareInputs): Promise<Prepared> {
  const id = String(t.id);
  const p = t.proposal;
  if (p.kind !== 'code') {
    // Read the tip inside the lock: a branch move queued before this checkout has landed by then.
    return x.locked(async () => {
      const tip = x.tip;
      const { workdir } = await x.ws.checkout(id, tip);
      return { ok: true, commit: tip, base: tip, workdir };
    });
  }
  if (p.invalid) return { ok: false, reason: p.invalid };
  const base = p.base ?? x.tip;
  if (!(await x.ws.resolve(base))) return { ok: false, reason: `edit does not apply: its base commit ${base.slice(0, 12)} is not in the repository.` };
  const rules = { mutable: x.config.mutable, frozen: x.config.frozen };
  let made;
  try {
    made = await x.locked(async () => {
      // An edited diff replaces the trial's old commit: the old worktree must not be reused.
      if (t.edited) await x.ws.removeWorktree(id);
      return x.ws.prepareTrial(
        id,
        base,
        async (dir) => {
          const r = await applyEdits(dir, [{ kind: 'diff', text: p.diff }], rules);
          if (!r.ok) throw new ApplyFailed(r.reason);
        },
        p.hypothesis,
      );
    });
  } catch (err) {
    if (err instanceof ApplyFailed) return { ok: false, reason: `edit does not apply: ${err.message}` };
    throw err;
  }
  if (made.kind === 'no-change') return { ok: false, reason: 'edit does not apply: it changes no file.' };
  const { commit, workdir } = made;
  const fail = (reason: string): Prepared => ({ ok: false, reason, commit });
  // The commit is checked, not only the edit: a commit reused after a crash was made by an earlier run.
  const violations = await x.ws.checkCommit(base, commit);
  if (violations.length) {
    const v = violations[0];
    return fail(`edit does not apply: it touches ${v.path}, ${v.reason === 'frozen' ? 'a frozen file' : 'which is not mutable'}.`);
  }
  const changed = await x.ws.changedFiles(base, commit);
  const compiled = await preflight(workdir, changed);
  if (!compiled.ok) return fail(`does not compile: ${compiled.reason}`);
  const digest = await normalisedDigest(workdir, await listMutable(workdir, rules));
  const other = x.claim(t.id, digest);
  if (other !== undefined) return fail(`duplicate of #${other}: the edited files are the same as that trial's (whitespace aside).`);
  if (x.config.preflight) {
    const why = await runPreflight(x.config, t, workdir);
    if (why) return fail(`pre-flight failed: ${why}`);
  }
  return { ok: true, commit, base, workdir, digest };
}

/** The `preflight:` command in the trial's worktree; a reason when it fails, else undefined. */
function runPreflight(config: CampaignConfig, t: TrialState, cwd: string): Promise<string | undefined> {
  const pf = config.preflight!;
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      ...config.env,
      NIGHTSHIFT_TRIAL_ID: String(t.id),
      NIGHTSHIFT_PARAMS: paramsJson(t.params, config.space, 0),
      NIGHTSHIFT_CAMPAIGN: config.name,
      NIGHTSHIFT_PREFLIGHT: '1',
    };
    // Its own process group, so a timeout takes down what the command started too.
    const child = spawn('/bin/sh', ['-c', pf.command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const take = (b: Buffer) => {
      out += b.toString('utf8');
      if (out.length > 64_000) out = out.slice(-32_000);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, pf.timeout_ms);
    const tail = () => out.trim().split('\n').slice(-OUTPUT_TAIL).join('\n');
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(`${pf.command} could not start (${err.message}).`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(`${pf.command} took longer than its timeout of ${Math.round(pf.timeout_ms / 1000)}s.${tail() ? `\n${tail()}` : ''}`);
      else if (code === 0) resolve(undefined);
      else resolve(`${pf.command} exited with ${code !== null ? `code ${code}` : signal}.${tail() ? `\n${tail()}` : ''}`);
    });
  });
}
