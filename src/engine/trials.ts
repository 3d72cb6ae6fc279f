// The live trials: starting them on the runner's placements, re-attaching them on `resume`, their
// output (metric batching, tails), timeouts and stops, and their way from exit to decision (the
// verdict itself is judge.ts). The engine's lifecycle (engine.ts) drives this.
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, NightshiftEvent } from '../events.js';
import type { FrozenFiles } from '../frozen.js';
import { trialDir } from '../paths.js';
import type { ExitInfo, Locator, Placement, Runner } from '../runner.js';
import { getTrial, type CampaignState, type TrialState } from '../state.js';
import type { CancelIntent } from '../state/rules.js';
import { EvaluatorCopy } from './evaluator-copy.js';
import { runEvaluator } from './evaluator-run.js';
import { worktreeFrozenChanged } from './worktree-frozen.js';
import { cancelledFate } from './fate.js';
import type { Cohorts, CompletedCurves } from './incremental.js';
import { judge } from './judge.js';
import { fingerprint, trialLaunch } from './launch.js';
import { scoredUnder } from '../integrity.js';
import { confirmedPrune, considerPrune, makeLive, onLine, takePending, type LiveTrial } from './live.js';
import { moveAsideStaleDir } from './trialdir.js';

/** Output lines kept for the detail view of a trial that has finished (the last TAILS_KEPT trials). */
const TAIL_LINES = 200;
const TAILS_KEPT = 32;
export const INTERRUPTED: CancelIntent = { by: 'interrupt', mode: 'stop', reason: 'stopped when the operator interrupted the campaign' };

export interface TrialsDeps {
  config: CampaignConfig;
  outDir: string;
  runner: Runner;
  state: () => CampaignState;
  emit: (body: EventBody) => NightshiftEvent;
  clock: () => number;
  frozen: FrozenFiles;
  cohorts: Cohorts;
  completedCurves: CompletedCurves;
  kick: () => void;
  fail: (err: unknown) => void;
  closed: () => boolean;
  stopping: () => 'interrupt' | 'detach' | null;
  /** After each trial is decided (an interrupt waits for the last). */
  settled: () => void;
}

export class Trials {
  readonly live = new Map<number, LiveTrial>();
  /** Queued trials whose start is under way (the runner has not said where they run yet). */
  readonly startingIds = new Set<number>();
  /** Trials whose process ended and that are being evaluated/decided. */
  readonly finishing = new Set<number>();
  /** The output tails of recently finished trials, and loads of older ones under way. */
  private readonly tails = new Map<number, string[]>();
  private readonly tailLoads = new Set<number>();
  private readonly evaluatorCopy: EvaluatorCopy;

  constructor(private readonly d: TrialsDeps) {
    this.evaluatorCopy = new EvaluatorCopy(d.config.workdir, d.outDir);
  }

  /** Nothing running, starting or being decided. */
  idle(): boolean {
    return this.live.size === 0 && this.finishing.size === 0 && this.startingIds.size === 0;
  }

  /** Re-attaches the trials the journal says are running (on `resume`). */
  async reattachAll(): Promise<void> {
    for (const id of [...this.d.state().running]) {
      const t = getTrial(this.d.state(), id)!;
      const slot = t.slot ?? 0;
      const live = makeLive(this.d.config, id, slot, this.d.clock());
      live.skipThroughStep = t.curve.lastStep;
      // A stop the previous supervisor asked for stands: the trial is judged by it, whatever its exit.
      live.cancel = t.cancel ?? null;
      const got = t.locator
        ? await this.d.runner.reattach({ id, locator: t.locator, slot, maxLogBytes: this.d.config.max_log_bytes }, (line) => this.onLine(live, line))
        : null;
      if (got) {
        live.handle = got.trial;
        this.live.set(id, live);
      }
      if (got?.exited) {
        // It finished while nobody watched; its output was just re-read.
        this.flushMetrics(live);
        void this.finish(live, got.exited);
      } else if (got) {
        live.startedAt = t.started_at ?? this.d.clock();
        // Deliver it again: the previous supervisor may have died before it reached the trial.
        if (live.cancel) void got.trial.cancel(live.cancel.mode, this.d.config.kill_grace_ms);
        else this.armTimeout(live, Math.max(0, (this.d.config.budget.trial_timeout_ms ?? Infinity) - (this.d.clock() - live.startedAt)));
        void got.trial.done.then((exit) => this.finish(live, exit));
      } else if (t.cancel && t.cancel.by !== 'interrupt') {
        // Stopped as asked, without leaving an exit status (killed after the grace with its wrapper).
        const fate = cancelledFate(t.cancel);
        this.d.emit({ type: 'trial.decided', id, status: fate.status, reason: fate.reason, score: null, best: false });
      } else {
        this.loseAndRequeue(t, 'its process was gone when the campaign resumed (supervisor crash or reboot)');
      }
    }
  }

  loseAndRequeue(t: TrialState, reason: string): void {
    this.d.emit({ type: 'trial.decided', id: t.id, status: 'lost', reason: `${reason}; re-queued`, score: null, best: false });
    this.d.emit({ type: 'trial.proposed', id: this.d.state().trial_count + 1, proposer: t.proposer, proposal: t.proposal, requeue_of: t.id });
  }

  async start(id: number, placement: Placement): Promise<void> {
    const t = getTrial(this.d.state(), id)!;
    const dir = trialDir(this.d.outDir, id);
    moveAsideStaleDir(dir);
    const live = makeLive(this.d.config, id, placement.slot, this.d.clock());
    const launch = trialLaunch(this.d.config, t, dir, this.d.outDir);
    this.startingIds.add(id);
    try {
      live.handle = await this.d.runner.start(launch, placement, (line) => this.onLine(live, line));
    } finally {
      this.startingIds.delete(id);
    }
    const handle = live.handle;
    // Left running for `resume`, like every other trial, when the supervisor detached meanwhile.
    if (this.d.closed() || this.d.stopping() === 'detach') return handle.detach();
    this.live.set(id, live);
    const { locator, hardware } = handle;
    this.d.emit({
      type: 'trial.started',
      id,
      slot: placement.slot,
      host: placement.hostSlot !== undefined ? `${placement.host}:${placement.hostSlot}` : this.d.config.parallel > 1 ? `${placement.host}:${placement.slot}` : placement.host,
      locator,
      fingerprint: { ...fingerprint(this.d.config, locator.host, hardware), ...scoredUnder(this.d.config, this.d.frozen) },
      ...(launch.sandbox ? { sandboxed: true } : {}),
    });
    this.armTimeout(live, this.d.config.budget.trial_timeout_ms);
    void handle.done.then((exit) => this.finish(live, exit));
    // Started while an interrupt was stopping the others: it stops too (lost and re-queued).
    if (this.d.stopping() === 'interrupt') this.requestCancel(live, INTERRUPTED);
  }

  private armTimeout(live: LiveTrial, ms: number | undefined): void {
    if (ms === undefined || !Number.isFinite(ms)) return;
    live.timeout = setTimeout(() => {
      if (live.cancel) return;
      const reason = `exceeded trial_timeout ${Math.round((this.d.config.budget.trial_timeout_ms ?? 0) / 1000)}s`;
      this.requestCancel(live, { by: 'timeout', mode: 'stop', reason });
    }, ms);
  }

  /**
   * Stops a running trial for a reason that decides its fate. The intent is journaled before the
   * stop is delivered (unless the caller journaled it already), so `resume` honours it if this
   * supervisor dies first. A trial whose command has already ended is left alone: it is judged by
   * its exit and final metrics. Returns whether the stop was asked for.
   */
  requestCancel(live: LiveTrial, intent: CancelIntent, journaled = false): boolean {
    if (!live.handle || live.handle.ended() || this.finishing.has(live.id)) return false;
    if (!journaled) this.d.emit({ type: 'trial.cancel_requested', id: live.id, ...intent });
    live.cancel = intent;
    void live.handle.cancel(intent.mode, this.d.config.kill_grace_ms);
    return true;
  }

  private onLine(live: LiveTrial, line: string): void {
    onLine(live, line);
  }

  flushMetrics(live: LiveTrial): void {
    const prune = confirmedPrune(live, this.d.clock());
    if (prune) this.requestCancel(live, prune);
    const points = takePending(live);
    if (!points) return;
    this.d.emit({ type: 'trial.metric', id: live.id, points });
    if (points[this.d.config.metric.name]) considerPrune(live, getTrial(this.d.state(), live.id), this.d.config, this.d.completedCurves, this.d.clock());
  }

  private async finish(live: LiveTrial, exit: ExitInfo): Promise<void> {
    try {
      await this.finishUnsafe(live, exit);
    } catch (err) {
      this.d.fail(err);
    }
  }

  private async finishUnsafe(live: LiveTrial, exit: ExitInfo): Promise<void> {
    if (this.finishing.has(live.id)) return;
    this.finishing.add(live.id);
    if (live.timeout) clearTimeout(live.timeout);
    this.flushMetrics(live);
    if (this.d.stopping() === 'detach') return;
    const t = getTrial(this.d.state(), live.id)!;
    const duration = this.d.clock() - (t.started_at ?? live.startedAt);
    const locator = live.handle?.locator ?? t.locator ?? { runner: 'local', host: '', pid: -1, dir: trialDir(this.d.outDir, t.id) };
    const state = this.d.state;
    const verdict = await judge(t, exit, live.cancel, {
      config: this.d.config,
      // Read when the verdict is made: other trials may be decided while the evaluator runs.
      get state() {
        return state();
      },
      cohorts: this.d.cohorts.size,
      lastLine: live.lastLine,
      frozenChanged: async () => [
        ...this.d.frozen.changed(this.d.state().frozen),
        // A code trial's own worktree: its copies of the frozen files must be as committed.
        ...(t.workdir ? (await worktreeFrozenChanged(t.workdir, this.d.config.frozen)).map((f) => `${f} (in the trial's worktree)`) : []),
      ],
      evaluate: () => this.evaluate(t, locator),
    });
    if (this.d.closed()) return;
    this.d.emit({ type: 'trial.finished', id: live.id, exit_code: exit.code, signal: exit.signal, duration_ms: duration, metrics: verdict.metrics, score: verdict.score });
    if (verdict.status === 'lost') this.loseAndRequeue(t, verdict.reason);
    else this.d.emit({ type: 'trial.decided', id: live.id, status: verdict.status, reason: verdict.reason, score: verdict.score, best: verdict.best });
    this.live.delete(live.id);
    if (live.handle) {
      this.keepTail(live.id, live.handle.tail(TAIL_LINES));
      live.handle.release();
    }
    // Whoever still holds the LiveTrial (a late line callback) must not keep the handle alive.
    live.handle = null;
    this.finishing.delete(live.id);
    this.d.kick();
    this.d.settled();
  }

  /** The evaluator, after the trial, in the clean copy of the frozen files (evaluator-run.ts). */
  private evaluate(t: TrialState, locator: Locator) {
    const { config, runner, outDir } = this.d;
    return runEvaluator({ config, runner, stateDir: outDir, copy: this.evaluatorCopy, recorded: this.d.state().frozen }, t, locator);
  }

  private keepTail(id: number, lines: string[]): void {
    this.tails.delete(id);
    this.tails.set(id, lines);
    if (this.tails.size > TAILS_KEPT) this.tails.delete(this.tails.keys().next().value!);
  }

  /**
   * The last output lines of a trial, from memory (safe during a render): the running trial's, a
   * recently finished one's, or, for an older one, nothing until the runner has read it (the next
   * render shows it).
   */
  tail(id: number, n = 40): string[] {
    const handle = this.live.get(id)?.handle;
    if (handle) return handle.tail(n);
    const kept = this.tails.get(id);
    if (kept) return kept.slice(-n);
    const locator = getTrial(this.d.state(), id)?.locator;
    if (locator && !this.tailLoads.has(id)) {
      this.tailLoads.add(id);
      this.d.runner
        .tail(locator, TAIL_LINES)
        .then((lines) => this.keepTail(id, lines), () => this.keepTail(id, []))
        .finally(() => this.tailLoads.delete(id));
    }
    return [];
  }
}
