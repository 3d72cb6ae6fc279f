// The "prepare" stage of a campaign with `mutable:` files: every queued trial gets a worktree (and a
// code trial its commit) before it may start, prepared ahead while other trials run, a few at a
// time, never blocking the pump. Once a trial is decided its commit is filed (kept → the campaign
// branch moves; anything else → refs/nightshift/<campaign>/trials/<id>) and its worktree removed.
// Git trouble after a decision is a warning, never a crash: the journal is the truth, git the notebook.
import * as fs from 'node:fs';
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, NightshiftEvent } from '../events.js';
import { allTrials, getTrial, type CampaignState, type TrialState } from '../state.js';
import type { Workspace } from '../workspace/git.js';
import { prepareTrial } from './prepare-trial.js';
import { settleTrial } from './settle.js';

/** Preparations at once: each may run py_compile and a pre-flight command. */
const AT_ONCE = 2;
/** Git failures preparing one trial before it is given up as invalid (rather than retried forever). */
const GIT_TRIES = 3;

export interface StageCore {
  state(): CampaignState;
  emit(body: EventBody): NightshiftEvent;
  kick(): void;
  /** Closed or stopping: nothing more is journaled by the stage. */
  stopped(): boolean;
  warn(message: string): void;
}

export class PrepareStage {
  /** Trials prepared in this process, or found intact on resume: their worktree exists. */
  private readonly prepared = new Set<number>();
  private readonly inflight = new Set<number>();
  private tip = '';
  /**
   * Kept code trials whose branch move is still queued behind other git work. Until it lands,
   * `tip` is the old code, so no param trial is ready (it would start on the code just beaten).
   */
  private tipMoves = 0;
  private gitChain: Promise<unknown> = Promise.resolve();
  private settling: Promise<unknown> = Promise.resolve();
  private core: StageCore | null = null;
  /** Digests of code trials prepared in this process, claimed as soon as computed (id → digest). */
  private readonly claims = new Map<number, string>();
  private readonly gitFailures = new Map<number, number>();

  constructor(
    readonly ws: Workspace,
    private readonly config: CampaignConfig,
  ) {}

  /** Git work in order, one piece at a time (worktree add/remove, commits, ref updates). */
  locked = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = this.gitChain.then(fn, fn);
    this.gitChain = run.catch(() => undefined);
    return run;
  };

  /**
   * Before the engine starts. On resume, half-made worktrees and commits are cleaned (running
   * trials keep theirs) and a queued trial whose worktree vanished is prepared again.
   */
  async init(state: CampaignState | undefined): Promise<void> {
    if (state) {
      const keep = new Set(state.running.map(String));
      await this.ws.recover(keep);
      // A killed supervisor may leave the worktree of a trial decided or dropped meanwhile.
      const live = new Set([...state.running, ...state.queue]);
      await this.sweep((id) => !live.has(id));
      for (const id of state.queue) {
        const t = getTrial(state, id);
        if (t?.commit && t.workdir && fs.existsSync(t.workdir)) this.prepared.add(id);
      }
    }
    this.tip = await this.ws.tip();
  }

  attach(core: StageCore): void {
    this.core = core;
  }

  /** Whether a queued trial may start: prepared (on the current tip, for a param trial) and, under manual review, approved. */
  ready = (t: TrialState): boolean => {
    if (!this.isPrepared(t)) return false;
    if (t.proposal.kind !== 'code') return true;
    return this.core?.state().review !== 'manual' || t.approved === true;
  };

  private isPrepared(t: TrialState): boolean {
    if (!this.prepared.has(t.id) || !t.commit || !t.workdir) return false;
    // A param trial prepared before a code trial was kept would run on the old code.
    return t.proposal.kind === 'code' || (this.tipMoves === 0 && t.commit === this.tip);
  }

  /** Called by the engine's pump: starts preparing queued trials that need it. */
  pump(): void {
    const core = this.core;
    if (!core || core.stopped()) return;
    const s = core.state();
    for (const id of s.queue) {
      if (this.inflight.size >= AT_ONCE) break;
      const t = getTrial(s, id);
      if (!t || this.inflight.has(id) || this.isPrepared(t)) continue;
      this.inflight.add(id);
      void this.prepare(id).finally(() => {
        this.inflight.delete(id);
        core.kick();
      });
    }
  }

  /** What the stage does on journaled events (the store's listener; the work itself is async). */
  onEvent(e: NightshiftEvent): void {
    if (e.type === 'operator.edit') this.prepared.delete(e.id);
    // A prepared trial the operator rejected or dropped (one by one, or by a switch) never runs:
    // its worktree goes now, not when the campaign ends.
    if (e.type === 'operator.reject' || e.type === 'operator.drop' || e.type === 'operator.switch') {
      const s = this.core?.state();
      for (const id of [...this.prepared]) {
        if (s && getTrial(s, id)?.status === 'dropped') {
          this.prepared.delete(id);
          void this.release(String(id));
        }
      }
    }
    // The edited trial is prepared again, an approved one may start: a pass of the pump (deferred).
    if (e.type === 'operator.edit' || e.type === 'operator.approve' || e.type === 'operator.review') this.core?.kick();
    if (e.type === 'trial.decided') {
      const t = this.core ? getTrial(this.core.state(), e.id) : undefined;
      if (t) this.settle(t, e.best);
    }
  }

  private async prepare(id: number): Promise<void> {
    const core = this.core!;
    const t = getTrial(core.state(), id);
    if (!t || t.status !== 'queued') return;
    let r;
    try {
      // The tip is read when the checkout runs (inside the git lock, after any queued branch move).
      const stage = this;
      r = await prepareTrial(t, { ws: this.ws, config: this.config, get tip() { return stage.tip; }, claim: this.claim, locked: this.locked });
    } catch (err) {
      // Git itself failed (disk, permissions, a lock left by someone): say so and try again a few times.
      const message = (err as Error).message;
      const tries = (this.gitFailures.get(id) ?? 0) + 1;
      this.gitFailures.set(id, tries);
      if (tries >= GIT_TRIES && !core.stopped() && getTrial(core.state(), id)?.status === 'queued') {
        core.emit({ type: 'trial.decided', id, status: 'invalid', reason: `could not be prepared in git (${tries} tries): ${message}`, score: null, best: false });
        return;
      }
      core.warn(`preparing trial #${id} failed: ${message}`);
      await new Promise((res) => setTimeout(res, 1000).unref());
      return;
    }
    const now = getTrial(core.state(), id);
    // Dropped, decided or edited meanwhile: this preparation no longer describes the trial.
    const stale = core.stopped() || !now || now.status !== 'queued' || now.proposal !== t.proposal;
    if (r.ok && !stale) {
      this.prepared.add(id);
      core.emit({ type: 'trial.prepared', id, commit: r.commit, base: r.base, workdir: r.workdir, digest: r.digest });
      return;
    }
    if (!r.ok) {
      this.claims.delete(id);
      // The failed commit stays readable under the trial's ref; its worktree goes.
      if (r.commit) await this.locked(() => this.ws.discard(String(id), r.commit!)).catch((err) => core.warn(`filing trial #${id}'s commit: ${(err as Error).message}`));
      await this.locked(() => this.ws.removeWorktree(String(id))).catch(() => undefined);
      if (!stale) core.emit({ type: 'trial.decided', id, status: 'invalid', reason: r.reason, score: null, best: false });
    }
  }

  /**
   * The earlier code trial with this digest, if any; else the digest is claimed for `id`. Trials that
   * never ran their code count for nothing (lost ones were re-queued under a new id, dropped and
   * invalid ones did not run), so their edit may be tried again.
   */
  private claim = (id: number, digest: string): number | undefined => {
    const s = this.core!.state();
    const counts = (t: TrialState | undefined) => t !== undefined && t.id !== id && t.proposal.kind === 'code' && !['lost', 'dropped', 'invalid'].includes(t.status);
    for (const t of allTrials(s)) if (t.digest === digest && counts(t)) return t.id;
    for (const [other, d] of this.claims) if (d === digest && counts(getTrial(s, other))) return other;
    this.claims.set(id, digest);
    return undefined;
  };

  private settle(t: TrialState, best: boolean): void {
    const core = this.core!;
    this.prepared.delete(t.id);
    const moves = t.status === 'keep' && t.proposal.kind === 'code';
    if (moves) this.tipMoves++;
    const job = this.locked(() => settleTrial(this.ws, t, best, this.tip)).finally(() => {
      if (moves) this.tipMoves--;
    }).then(
      (r) => {
        if (r.tip) this.tip = r.tip;
        if (r.warning) core.warn(r.warning);
        if (r.tip) core.kick(); // param trials prepared on the old tip are prepared again
      },
      (err) => core.warn(`filing trial #${t.id} in git failed: ${(err as Error).message}`),
    );
    this.settling = Promise.all([this.settling, job]);
  }

  /**
   * When the campaign stops: every worktree but the running trials' is removed (a code trial's
   * commit stays under its ref, so a resumed campaign prepares it again from there, never twice).
   */
  async close(state: CampaignState): Promise<void> {
    while (this.inflight.size > 0) await new Promise((res) => setTimeout(res, 20));
    await this.settling;
    const running = new Set(state.running);
    await this.sweep((id) => !running.has(id));
  }

  /** Releases the worktree of every trial `gone` says no longer needs one. */
  private async sweep(gone: (id: number) => boolean): Promise<void> {
    const dirs = fs.existsSync(this.ws.worktreesDir) ? fs.readdirSync(this.ws.worktreesDir, { withFileTypes: true }) : [];
    for (const d of dirs) if (d.isDirectory() && /^\d+$/.test(d.name) && gone(Number(d.name))) await this.release(d.name);
  }

  /** Files a trial's own commit under its ref (if not yet) and removes its worktree. */
  private release(id: string): Promise<void> {
    return this.locked(async () => {
      const commit = await this.ws.findTrialCommit(id);
      if (commit && !(await this.ws.resolve(this.ws.trialRef(id)))) await this.ws.discard(id, commit);
      await this.ws.removeWorktree(id);
    }).catch((err) => this.core?.warn(`removing worktree ${id}: ${(err as Error).message}`));
  }
}
