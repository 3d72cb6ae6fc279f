// The engine: between proposers and runners. It keeps the queue full ahead of free slots, starts
// trials, reads their metrics, prunes, decides keep/discard, enforces the budget, and turns operator
// commands into events. Every decision is appended to the journal before the store sees it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, EventOf, Fingerprint, NightshiftEvent, Overrides } from '../events.js';
import type { Journal } from '../journal.js';
import { MetricParser } from '../metrics.js';
import { sanitizeLine } from '../format/sanitize.js';
import { trialDir } from '../paths.js';
import {
  elapsedMs,
  getTrial,
  trialView,
  type CampaignState,
  type TrialState,
} from '../state.js';
import type { Store } from '../store.js';
import type { ProposeResult, Proposer } from '../types.js';
import type { ExitInfo, Runner, RunningTrial } from '../../runners/types.js';
import { decideTrial } from './decide.js';
import { formatPlain as fmt } from '../format/number.js';
import { runEvaluator } from './evaluate.js';
import { FrozenFiles } from '../frozen.js';
import { judgeMedian } from './pruner.js';
import { MetricBatch } from './metric-batch.js';
import { Cohorts, CompletedCurves, CurveTracker, TrialHistory } from './incremental.js';
import { paramsJson, renderCommand } from './command.js';
import { cancelledFate, crashReason, nonFiniteReading } from './fate.js';
import { DEFAULT_FIRST_CRASHES, firstCrashesStop } from './crash-streak.js';
import { operatorIntent, type CancelIntent } from '../state-rules.js';
import { journaledBudget } from './budget.js';
import { moveAsideStaleDir } from './trialdir.js';
import { escalationEvent, usageEvent } from './proposing.js';

/** Metric points are batched into one journal event per trial at most this often. */
const METRIC_FLUSH_MS = 250;
/** Output lines kept in memory per running trial for the detail view. */
const TAIL_LINES = 200;
/** A proposer that fails this many times in a row ends the campaign instead of retrying forever. */
const MAX_PROPOSER_FAILURES = 5;
const PROPOSER_RETRY_MS = 2000;
/**
 * A pruner verdict is carried out only if the trial is still running this long after it: a trial
 * that printed its last step and is exiting is judged by its exit and final metrics, not pruned.
 */
const PRUNE_CONFIRM_MS = 1000;

interface LiveTrial {
  id: number;
  slot: number;
  /** Null for a trial that finished while no supervisor watched (judged from what it left behind). */
  handle: RunningTrial | null;
  parser: MetricParser;
  pending: MetricBatch;
  /** On re-attach, points at or before this step were journaled already. */
  skipThroughStep: number | null;
  tail: string[];
  lastLine: string;
  /** The pruner's view of the curve, fed only new points. */
  curve: CurveTracker;
  /** Set only when the stop reached a trial still running; journaled before it was delivered. */
  cancel: CancelIntent | null;
  /** The pruner's verdict, waiting to see whether the trial is still running (PRUNE_CONFIRM_MS). */
  prunePending: { intent: CancelIntent; at: number } | null;
  timeout: NodeJS.Timeout | null;
  startedAt: number;
}

export interface CommandResult {
  ok: boolean;
  message: string;
}

export type Outcome =
  /** failed: the campaign stopped because its trials cannot run (budget.first_crashes): exit 1. */
  | { kind: 'finished'; reason: string; failed?: true }
  | { kind: 'interrupted' }
  | { kind: 'detached' }
  | { kind: 'failed'; error: string };

export interface EngineOptions {
  config: CampaignConfig;
  outDir: string;
  journal: Journal;
  store: Store;
  runner: Runner;
  /** Every configured proposer by name; the state says which is active. */
  proposers: Map<string, Proposer>;
  clock?: () => number;
  /** Wait before asking a failed proposer again. */
  proposerRetryMs?: number;
  /** Command-line overrides already applied to `config`, journaled so `resume` keeps them. */
  overrides?: Overrides;
}

export { renderCommand } from './command.js';

export function configHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

export class Engine {
  private readonly config: CampaignConfig;
  private readonly journal: Journal;
  private readonly store: Store;
  private readonly runner: Runner;
  private readonly proposers: Map<string, Proposer>;
  private readonly clock: () => number;
  private readonly outDir: string;
  private readonly proposerRetryMs: number;
  private readonly overrides: Overrides | undefined;
  private readonly frozen: FrozenFiles;
  private readonly live = new Map<number, LiveTrial>();
  /** Trials whose process ended and that are being evaluated/decided. */
  private readonly finishing = new Set<number>();
  private readonly busySlots = new Set<number>();
  private proposing: AbortController | null = null;
  private pumpQueued = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private wallTimer: NodeJS.Timeout | null = null;
  private stopping: 'interrupt' | 'detach' | null = null;
  /** Called after each trial is decided (interrupt uses it to know when everything has stopped). */
  private onTrialSettled: (() => void) | null = null;
  private resolveRun!: (o: Outcome) => void;
  private readonly runPromise: Promise<Outcome>;
  /** Kept up to date per event (a rebuild per decision grew with the campaign). */
  private readonly history: TrialHistory;
  private readonly cohorts: Cohorts;
  private readonly completedCurves: CompletedCurves;
  private closed = false;

  constructor(opts: EngineOptions) {
    this.config = opts.config;
    this.journal = opts.journal;
    this.store = opts.store;
    this.runner = opts.runner;
    this.proposers = opts.proposers;
    this.clock = opts.clock ?? Date.now;
    this.outDir = opts.outDir;
    this.proposerRetryMs = opts.proposerRetryMs ?? PROPOSER_RETRY_MS;
    this.overrides = opts.overrides;
    this.frozen = new FrozenFiles(this.config.workdir, this.config.frozen);
    this.runPromise = new Promise((resolve) => (this.resolveRun = resolve));
    this.history = new TrialHistory(this.state);
    this.cohorts = new Cohorts(this.state);
    this.completedCurves = new CompletedCurves(this.state);
  }

  get state(): CampaignState {
    return this.store.getState();
  }

  private emit(body: EventBody): NightshiftEvent {
    const e = this.journal.append(body);
    this.store.apply(e);
    this.history.onEvent(e);
    this.cohorts.onEvent(e);
    this.completedCurves.onEvent(e, this.state);
    return e;
  }

  // ---------------------------------------------------------------- start / resume

  /** Starts a new campaign (the journal must be empty). */
  start(): Promise<Outcome> {
    const c = this.config;
    this.emit({
      type: 'campaign.started',
      name: c.name,
      goal: c.metric.goal,
      metric: c.metric.name,
      seed: c.seed,
      proposer: c.proposers[0].type,
      proposers: c.proposers.map((p) => p.type),
      config_file: c.file,
      config_hash: configHash(c.file),
      frozen: this.frozen.hashAll(),
      budget: journaledBudget(c),
      parallel: c.parallel,
      command: c.command,
      space: c.space,
      overrides: this.overrides,
    });
    return this.loop();
  }

  /** Continues a replayed campaign: re-attaches live trials, records lost ones and re-queues their params. */
  resume(torn: boolean): Promise<Outcome> {
    this.emit({
      type: 'campaign.resumed',
      pid: process.pid,
      torn_line: torn || undefined,
      config_hash: configHash(this.config.file),
      budget: journaledBudget(this.config),
      overrides: this.overrides,
    });
    // A campaign paused when its supervisor went away would otherwise sit idle (headless has no key to unpause).
    if (this.state.paused) this.emit({ type: 'operator.resume', reason: '`nightshift resume` continues dispatch' });
    for (const id of [...this.state.running]) {
      const t = getTrial(this.state, id)!;
      const slot = t.slot ?? 0;
      const live = this.makeLive(id, slot, this.clock());
      live.skipThroughStep = t.curve.lastStep;
      // A stop the previous supervisor asked for stands: the trial is judged by it, whatever its exit.
      live.cancel = t.cancel ?? null;
      const got =
        t.pid !== undefined && t.dir
          ? this.runner.reattach({ id, pid: t.pid, pidStart: t.pid_start, dir: t.dir, maxLogBytes: this.config.max_log_bytes }, (line) => this.onLine(live, line))
          : null;
      if (got && 'exited' in got) {
        // It finished while nobody watched; its output was just re-read.
        this.busySlots.add(slot);
        this.live.set(id, live);
        this.flushMetrics(live);
        void this.finish(live, got.exited);
      } else if (got) {
        live.handle = got.trial;
        live.startedAt = t.started_at ?? this.clock();
        this.busySlots.add(slot);
        this.live.set(id, live);
        // Deliver it again: the previous supervisor may have died before it reached the trial.
        if (live.cancel) got.trial.cancel(live.cancel.mode, this.config.kill_grace_ms);
        else this.armTimeout(live, Math.max(0, (this.config.budget.trial_timeout_ms ?? Infinity) - (this.clock() - live.startedAt)));
        void got.trial.done.then((exit) => this.finish(live, exit));
      } else if (t.cancel && t.cancel.by !== 'interrupt') {
        // Stopped as asked, without leaving an exit status (killed after the grace with its wrapper).
        const fate = cancelledFate(t.cancel);
        this.emit({ type: 'trial.decided', id, status: fate.status, reason: fate.reason, score: null, best: false });
      } else {
        this.loseAndRequeue(t, 'its process was gone when the campaign resumed (supervisor crash or reboot)');
      }
    }
    return this.loop();
  }

  private loseAndRequeue(t: TrialState, reason: string): void {
    this.emit({ type: 'trial.decided', id: t.id, status: 'lost', reason: `${reason}; re-queued`, score: null, best: false });
    this.emit({ type: 'trial.proposed', id: this.state.trial_count + 1, proposer: t.proposer, proposal: t.proposal, requeue_of: t.id });
  }

  private loop(): Promise<Outcome> {
    this.flushTimer = setInterval(() => {
      for (const live of this.live.values()) this.flushMetrics(live);
    }, METRIC_FLUSH_MS);
    if (this.config.budget.wall_ms !== undefined) this.wallTimer = setInterval(() => this.kick(), 1000);
    this.kick();
    return this.runPromise;
  }

  // ---------------------------------------------------------------- the pump

  /**
   * Schedules one pass of the dispatcher (coalesced). On the check phase, not as a microtask: when
   * trials end faster than they are handled, a microtask chain of exit → decide → dispatch would
   * never let the event loop turn, starving timers (timeouts, metric flushes), keys, signals and
   * the closing of finished children's handles.
   */
  kick(): void {
    if (this.pumpQueued || this.closed) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private budgetReason(): { which: EventOf<'budget.exhausted'>['which']; reason: string } | null {
    const s = this.state;
    const c = this.config;
    const b = c.budget;
    const scoredEver = (s.counts.keep ?? 0) + (s.counts.discard ?? 0) > 0;
    const where = { workdir: c.workdir, outDir: this.outDir, file: path.relative(process.cwd(), c.file) || c.file };
    const broken = firstCrashesStop(s.crash_streak, b.first_crashes ?? DEFAULT_FIRST_CRASHES, scoredEver, where);
    if (broken) return { which: 'crashes', reason: broken };
    const bestId = s.best;
    const best = bestId !== null ? getTrial(s, bestId) : undefined;
    if (b.target !== undefined && best?.score != null) {
      const hit = this.config.metric.goal === 'minimize' ? best.score <= b.target : best.score >= b.target;
      if (hit) return { which: 'target', reason: `target reached: #${best.id} ${s.metric}=${fmt(best.score)} (target ${fmt(b.target)})` };
    }
    if (b.trials !== undefined && this.decidedCounted() >= b.trials) {
      return { which: 'trials', reason: `trial budget reached: ${b.trials} trials` };
    }
    if (b.wall_ms !== undefined && elapsedMs(s, this.clock()) >= b.wall_ms) {
      return { which: 'wall', reason: `wall-clock budget reached: ${Math.round(b.wall_ms / 1000)}s` };
    }
    if (b.patience !== undefined && s.since_improvement >= b.patience) {
      return { which: 'patience', reason: `no improvement in ${b.patience} trials` };
    }
    if (s.proposer_failures >= MAX_PROPOSER_FAILURES && s.queue.length === 0) {
      return { which: 'proposer', reason: `proposer ${s.proposer} failed ${s.proposer_failures} times in a row (last: ${s.proposer_error}); switch proposer and resume` };
    }
    if (s.proposer_exhausted && s.queue.length === 0 && s.running.length === 0) {
      return { which: 'space', reason: `proposer ${s.proposer} has nothing left to propose (search space exhausted)` };
    }
    return null;
  }

  /** Trials that count toward budget.trials and have finished. */
  private decidedCounted(): number {
    return this.state.counted - this.state.running.length;
  }

  private pump(): void {
    try {
      this.pumpUnsafe();
    } catch (err) {
      this.fail(err);
    }
  }

  private pumpUnsafe(): void {
    if (this.closed || this.stopping) return;
    let s = this.state;
    if (s.finished) return;
    if (!s.exhausted) {
      const why = this.budgetReason();
      if (why) {
        this.emit({ type: 'budget.exhausted', ...why });
        this.proposing?.abort();
        s = this.state;
      }
    }
    if (s.exhausted) {
      if (s.running.length === 0 && this.live.size === 0 && this.finishing.size === 0) {
        this.emit({ type: 'campaign.finished', reason: s.exhausted.reason });
        this.close();
        this.resolveRun(s.exhausted.which === 'crashes' ? { kind: 'finished', reason: s.exhausted.reason, failed: true } : { kind: 'finished', reason: s.exhausted.reason });
      }
      return;
    }
    const trialsLeft = this.config.budget.trials !== undefined ? this.config.budget.trials - s.counted : Infinity;
    // Dispatch.
    if (!s.paused) {
      let started = 0;
      while (s.queue.length > 0 && this.busySlots.size < this.config.parallel && started < trialsLeft) {
        this.startTrial(s.queue[0]);
        started++;
        s = this.state;
      }
    }
    // Propose ahead so a slot never waits on the proposer, but never beyond the trial budget.
    const free = this.config.parallel - this.busySlots.size;
    const left = this.config.budget.trials !== undefined ? this.config.budget.trials - s.counted : Infinity;
    const want = Math.min(free + this.config.queue_ahead - s.queue.length, left - s.queue.length);
    if (want > 0 && !this.proposing && !s.proposer_exhausted) void this.propose(want);
  }

  private async propose(k: number): Promise<void> {
    const s = this.state;
    const name = s.proposer;
    const proposer = this.proposers.get(name);
    if (!proposer) return;
    const ctrl = new AbortController();
    this.proposing = ctrl;
    let result: ProposeResult = { proposals: [] };
    try {
      const history = this.history.snapshot(s);
      const inc = s.incumbent !== null ? getTrial(s, s.incumbent) : undefined;
      result = await proposer.propose(
        { space: this.config.space, goal: this.config.metric.goal, history, incumbent: inc ? trialView(inc) : null, seed: this.config.seed, proposed: s.trial_count, signal: ctrl.signal },
        k,
      );
    } catch (err) {
      if (!ctrl.signal.aborted && !this.closed) {
        const error = (err as Error).message ?? String(err);
        // Journaled, and counted by the state: a resumed supervisor goes on from the same count.
        this.emit({ type: 'proposer.failed', proposer: name, error });
        // Try again shortly rather than spinning; the budget check ends the campaign if it keeps failing.
        setTimeout(() => this.kick(), this.proposerRetryMs).unref();
      }
      return;
    } finally {
      this.proposing = null;
    }
    // Spent is spent: the cost is journaled even when the proposals are thrown away below.
    if (result.usage && !this.closed) this.emit(usageEvent(name, result.usage));
    if (this.closed || ctrl.signal.aborted || this.stopping) return;
    if (this.state.proposer !== name) {
      // The operator switched while we were proposing: the next proposal comes from the new one.
      this.kick();
      return;
    }
    const escalation = escalationEvent(name, result, this.proposers);
    if (result.proposals.length === 0 && escalation?.to === undefined) this.emit({ type: 'proposer.exhausted', proposer: name });
    for (const p of result.proposals) {
      this.emit({ type: 'trial.proposed', id: this.state.trial_count + 1, proposer: name, proposal: p });
    }
    // After its proposals, which stay queued: the next call goes to the proposer taking over.
    if (escalation) this.emit(escalation);
    this.kick();
  }

  // ---------------------------------------------------------------- trials

  private makeLive(id: number, slot: number, startedAt: number): LiveTrial {
    return {
      id,
      slot,
      handle: null,
      parser: new MetricParser({ primary: this.config.metric.name, pattern: this.config.metric.pattern }),
      pending: new MetricBatch(this.config.metric.name),
      skipThroughStep: null,
      tail: [],
      lastLine: '',
      curve: new CurveTracker(this.config.metric.goal),
      cancel: null,
      prunePending: null,
      timeout: null,
      startedAt,
    };
  }

  private freeSlot(): number {
    for (let i = 0; ; i++) if (!this.busySlots.has(i)) return i;
  }

  fingerprint(slot: number): Fingerprint {
    const { host, hardware } = this.runner.host(slot);
    const c = this.config;
    const budget = JSON.stringify({ trial_timeout_ms: c.budget.trial_timeout_ms ?? null, evaluate: c.evaluate?.command ?? null });
    const key = createHash('sha256').update(hardware + '\n' + budget).digest('hex').slice(0, 8);
    return { key, host, hardware, budget };
  }

  private startTrial(id: number): void {
    const t = getTrial(this.state, id)!;
    const slot = this.freeSlot();
    const dir = trialDir(this.outDir, id);
    moveAsideStaleDir(dir);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'params.json'), paramsJson(t.params, this.config.space) + '\n');
    if (t.proposal.kind === 'code') fs.writeFileSync(path.join(dir, 'change.diff'), t.proposal.diff);
    const env: Record<string, string> = {
      ...this.config.env,
      NIGHTSHIFT_TRIAL_ID: String(id),
      NIGHTSHIFT_TRIAL_DIR: dir,
      NIGHTSHIFT_CONTROL: path.join(dir, 'control'),
      NIGHTSHIFT_PARAMS: paramsJson(t.params, this.config.space, 0),
      NIGHTSHIFT_CAMPAIGN: this.config.name,
    };
    const live = this.makeLive(id, slot, this.clock());
    this.busySlots.add(slot);
    this.live.set(id, live);
    const handle = this.runner.start(
      { id, command: renderCommand(this.config.command, t.params, this.config.space), cwd: this.config.workdir, dir, env, params: t.params, maxLogBytes: this.config.max_log_bytes },
      slot,
      (line) => this.onLine(live, line),
    );
    live.handle = handle;
    const host = this.runner.host(slot).host;
    this.emit({
      type: 'trial.started',
      id,
      slot,
      host: this.config.parallel > 1 ? `${host}:${slot}` : host,
      pid: handle.pid,
      pid_start: handle.pidStart,
      dir,
      fingerprint: this.fingerprint(slot),
    });
    this.armTimeout(live, this.config.budget.trial_timeout_ms);
    void handle.done.then((exit) => this.finish(live, exit));
  }

  private armTimeout(live: LiveTrial, ms: number | undefined): void {
    if (ms === undefined || !Number.isFinite(ms)) return;
    live.timeout = setTimeout(() => {
      if (live.cancel) return;
      const reason = `exceeded trial_timeout ${Math.round((this.config.budget.trial_timeout_ms ?? 0) / 1000)}s`;
      this.requestCancel(live, { by: 'timeout', mode: 'stop', reason });
    }, ms);
  }

  /**
   * Stops a running trial for a reason that decides its fate. The intent is journaled before the
   * stop is delivered (unless the caller journaled it already), so `resume` honours it if this
   * supervisor dies first. A trial whose command has already ended is left alone: it is judged by
   * its exit and final metrics. Returns whether the stop was asked for.
   */
  private requestCancel(live: LiveTrial, intent: CancelIntent, journaled = false): boolean {
    if (!live.handle || live.handle.ended() || this.finishing.has(live.id)) return false;
    if (!journaled) this.emit({ type: 'trial.cancel_requested', id: live.id, ...intent });
    live.cancel = intent;
    live.handle.cancel(intent.mode, this.config.kill_grace_ms);
    return true;
  }

  private onLine(live: LiveTrial, line: string): void {
    live.lastLine = line;
    live.tail.push(line);
    // Trimmed in batches: a splice per line cost more than everything else a flood of lines does.
    if (live.tail.length > 2 * TAIL_LINES) live.tail.splice(0, live.tail.length - TAIL_LINES);
    const points = live.parser.parse(line);
    for (const p of points) {
      if (live.skipThroughStep !== null && p.step <= live.skipThroughStep) continue;
      live.pending.add(p);
    }
  }

  private flushMetrics(live: LiveTrial): void {
    this.confirmPrune(live);
    if (live.pending.size === 0) return;
    const points = live.pending.take();
    this.emit({ type: 'trial.metric', id: live.id, points });
    if (points[this.config.metric.name]) this.maybePrune(live);
  }

  private maybePrune(live: LiveTrial): void {
    const p = this.config.pruner;
    if (p.type !== 'median' || live.cancel || live.prunePending) return;
    const t = getTrial(this.state, live.id);
    if (!t || t.curve.length === 0) return;
    const c = this.completedCurves;
    const verdict = judgeMedian(live.curve.update(t.curve), c.count, c.peersAt, this.config.metric.goal, p, this.config.metric.name);
    if (verdict.prune) live.prunePending = { intent: { by: 'pruner', mode: 'prune', reason: `median pruner: ${verdict.reason}` }, at: this.clock() };
  }

  private confirmPrune(live: LiveTrial): void {
    const pending = live.prunePending;
    if (!pending || live.cancel) return;
    if (!live.handle || live.handle.ended()) live.prunePending = null;
    else if (this.clock() - pending.at >= PRUNE_CONFIRM_MS) {
      live.prunePending = null;
      this.requestCancel(live, pending.intent);
    }
  }

  /** Learning curves of completed (scored) trials, for the pruner and the TUI's median curve. */
  completed(): Array<ReadonlyMap<number, number>> {
    return this.completedCurves.curves();
  }

  private async finish(live: LiveTrial, exit: ExitInfo): Promise<void> {
    try {
      await this.finishUnsafe(live, exit);
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * An internal failure (disk full, a bug): stop supervising but leave running trials alone, so
   * that `resume` re-attaches to them and nothing in the journal is lost.
   */
  fail(err: unknown): void {
    if (this.closed) return;
    const message = (err as Error)?.message ?? String(err);
    for (const live of this.live.values()) live.handle?.detach();
    this.stopping = 'detach';
    try {
      this.close();
    } catch {
      // The journal may be what failed.
    }
    this.resolveRun({ kind: 'failed', error: message });
  }

  private async finishUnsafe(live: LiveTrial, exit: ExitInfo): Promise<void> {
    if (this.finishing.has(live.id)) return;
    this.finishing.add(live.id);
    if (live.timeout) clearTimeout(live.timeout);
    this.flushMetrics(live);
    if (this.stopping === 'detach') return;
    const t = getTrial(this.state, live.id)!;
    const duration = this.clock() - (t.started_at ?? live.startedAt);
    const verdict = await this.judge(live, exit, t);
    if (this.closed) return;
    this.emit({
      type: 'trial.finished',
      id: live.id,
      exit_code: exit.code,
      signal: exit.signal,
      duration_ms: duration,
      metrics: verdict.metrics,
      score: verdict.score,
    });
    if (verdict.status === 'lost') {
      this.loseAndRequeue(t, verdict.reason);
    } else {
      this.emit({ type: 'trial.decided', id: live.id, status: verdict.status, reason: verdict.reason, score: verdict.score, best: verdict.best });
    }
    this.live.delete(live.id);
    // Whoever still holds the LiveTrial (a late line callback) must not keep the handle alive.
    live.handle = null;
    live.tail = [];
    this.finishing.delete(live.id);
    this.busySlots.delete(live.slot);
    this.kick();
    this.onTrialSettled?.();
  }

  private async judge(
    live: LiveTrial,
    exit: ExitInfo,
    t: TrialState,
  ): Promise<{ status: Exclude<TrialState['status'], 'queued' | 'running' | 'dropped'>; reason: string; score: number | null; best: boolean; metrics: Record<string, number> }> {
    const printed = { ...t.last };
    const none = { score: null, best: false, metrics: printed };
    if (live.cancel) return { ...cancelledFate(live.cancel), ...none };
    if (exit.vanished) return { status: 'crash', reason: 'the process vanished without an exit status (killed while unsupervised?)', ...none };
    if (exit.code !== 0) return { status: 'crash', reason: crashReason(exit, live.lastLine), ...none };
    const changed = this.frozen.changed(this.state.frozen);
    if (changed.length) {
      return {
        status: 'invalid',
        reason: `frozen file${changed.length > 1 ? 's' : ''} changed since the campaign started: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}`,
        ...none,
      };
    }
    let metrics = printed;
    if (this.config.evaluate) {
      const result = await runEvaluator({
        command: renderCommand(this.config.evaluate.command, t.params, this.config.space),
        cwd: this.config.workdir,
        env: {
          ...this.config.env,
          NIGHTSHIFT_TRIAL_ID: String(t.id),
          NIGHTSHIFT_TRIAL_DIR: t.dir ?? '',
          NIGHTSHIFT_PARAMS: paramsJson(t.params, this.config.space, 0),
        },
        trialDir: t.dir ?? trialDir(this.outDir, t.id),
        metric: this.config.metric.name,
        timeoutMs: this.config.evaluate.timeout_ms,
        killGraceMs: this.config.kill_grace_ms,
      });
      if (!result.ok) return { status: 'crash', reason: result.error ?? 'the evaluator failed', ...none };
      // The evaluator's numbers win; the trial's own report of the scored metric is ignored.
      metrics = { ...printed };
      delete metrics[this.config.metric.name];
      Object.assign(metrics, result.metrics);
      if (result.metrics[this.config.metric.name] === undefined) {
        return { status: 'crash', reason: `the evaluator printed no ${this.config.metric.name}`, ...none, metrics };
      }
    }
    // A diverged run (NaN or inf in any final metric) is a crash, never a score.
    const diverged = nonFiniteReading(metrics);
    if (diverged) return { status: 'crash', reason: diverged, ...none, metrics };
    const cohort = t.fingerprint?.key ?? '';
    const cohorts = this.cohorts.size;
    const v = decideTrial(this.state, this.config.decide, this.config.metric.name, this.config.metric.goal, metrics, cohort, cohorts);
    return { ...v, metrics };
  }

  /** The last output lines of a trial: from memory while it runs, from its log afterwards. */
  tail(id: number, n = 40): string[] {
    const live = this.live.get(id);
    if (live) return live.tail.slice(-n);
    const t = getTrial(this.state, id);
    if (!t?.dir) return [];
    return readTail(path.join(t.dir, 'output.log'), n);
  }

  // ---------------------------------------------------------------- operator commands

  pause(reason?: string): CommandResult {
    if (this.state.paused) return { ok: false, message: 'already paused' };
    this.emit({ type: 'operator.pause', reason });
    return { ok: true, message: 'paused: running trials go on, nothing new starts' };
  }

  resumeDispatch(reason?: string): CommandResult {
    if (!this.state.paused) return { ok: false, message: 'not paused' };
    this.emit({ type: 'operator.resume', reason });
    this.kick();
    return { ok: true, message: 'resumed dispatch' };
  }

  /** mode prune: cooperative stop, status pruned. mode kill: SIGKILL the process group, status killed. */
  stopTrial(id: number, mode: 'prune' | 'kill', reason?: string): CommandResult {
    const live = this.live.get(id);
    if (!live || this.finishing.has(id)) return { ok: false, message: `#${id} is not running` };
    if (!live.handle || live.handle.ended()) return { ok: false, message: `#${id} has already exited; it is judged by its exit` };
    // operator.kill is the journaled intent (the state reads it as one).
    this.emit({ type: 'operator.kill', id, mode, reason });
    this.requestCancel(live, operatorIntent(mode, reason), true);
    return { ok: true, message: `${mode === 'kill' ? 'killing' : 'pruning'} #${id}` };
  }

  promote(id: number, reason?: string): CommandResult {
    const t = getTrial(this.state, id);
    if (!t) return { ok: false, message: `no trial #${id}` };
    if (t.status === 'running') return { ok: false, message: `#${id} is already running` };
    if (t.status !== 'queued' && (t.score === null || (t.status !== 'keep' && t.status !== 'discard'))) {
      return { ok: false, message: `#${id} has no score (${t.status}); only scored trials can become the incumbent` };
    }
    this.emit({ type: 'operator.promote', id, reason });
    this.kick();
    return { ok: true, message: t.status === 'queued' ? `#${id} runs next` : `#${id} is plotted as the incumbent until a new best (proposers and keep/discard still go by the best)` };
  }

  /** Moves a queued trial by `delta` places (negative: earlier). */
  reorder(id: number, delta: number, reason?: string): CommandResult {
    const i = this.state.queue.indexOf(id);
    if (i < 0) return { ok: false, message: `#${id} is not queued` };
    const to = Math.max(0, Math.min(this.state.queue.length - 1, i + delta));
    if (to === i) return { ok: false, message: `#${id} is already ${delta < 0 ? 'first' : 'last'}` };
    this.emit({ type: 'operator.reorder', id, to, reason });
    return { ok: true, message: `#${id} moved to position ${to + 1}` };
  }

  drop(id: number, reason?: string): CommandResult {
    if (!this.state.queue.includes(id)) return { ok: false, message: `#${id} is not queued` };
    this.emit({ type: 'operator.drop', id, reason });
    this.kick();
    return { ok: true, message: `dropped #${id}` };
  }

  switchProposer(name: string, reason?: string): CommandResult {
    if (!this.proposers.has(name)) return { ok: false, message: `${name} is not configured (have: ${[...this.proposers.keys()].join(', ')})` };
    if (this.state.proposer === name) return { ok: false, message: `${name} is already active` };
    this.emit({ type: 'operator.switch', proposer: name, reason });
    this.proposing?.abort();
    this.kick();
    return { ok: true, message: `next proposals come from ${name}` };
  }

  availableProposers(): string[] {
    return [...this.proposers.keys()];
  }

  /**
   * Stops the campaign: running trials get a cooperative stop (then SIGKILL after the grace),
   * are recorded lost and re-queued, so `resume` runs them again. Resolves when all are down.
   */
  interrupt(hard = false): Promise<Outcome> {
    if (this.stopping === 'interrupt') {
      if (hard) for (const live of this.live.values()) live.handle?.cancel('kill', 0);
      return this.runPromise;
    }
    this.stopping = 'interrupt';
    this.proposing?.abort();
    this.emit({ type: 'operator.quit', leave_running: false, reason: hard ? 'SIGKILL' : 'interrupted' });
    const done = () => {
      if (this.live.size === 0) {
        this.close();
        this.resolveRun({ kind: 'interrupted' });
      }
    };
    this.onTrialSettled = done;
    for (const live of this.live.values()) {
      if (this.finishing.has(live.id)) continue; // being decided already; it settles by itself
      // Lost and re-queued; one that has already exited is judged by its exit instead.
      this.requestCancel(live, { by: 'interrupt', mode: hard ? 'kill' : 'stop', reason: 'stopped when the operator interrupted the campaign' });
    }
    // Trials already finishing are decided normally by finish(); interrupted ones are lost and re-queued there.
    done();
    return this.runPromise;
  }

  /** Leaves running trials alone and stops supervising; `resume` re-attaches to them. */
  detach(): Promise<Outcome> {
    this.stopping = 'detach';
    this.proposing?.abort();
    this.emit({ type: 'operator.quit', leave_running: true, reason: `${this.live.size} trial(s) left running` });
    for (const live of this.live.values()) {
      this.flushMetrics(live);
      live.handle?.detach();
      if (live.timeout) clearTimeout(live.timeout);
    }
    this.close();
    this.resolveRun({ kind: 'detached' });
    return this.runPromise;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.wallTimer) clearInterval(this.wallTimer);
    this.journal.close();
  }

  liveIds(): number[] {
    return [...this.live.keys()];
  }
}

/** The last n lines of a file, reading only its end. */
export function readTail(file: string, n: number): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split(/\r?\n|\r/);
    if (lines[lines.length - 1] === '') lines.pop();
    // The log is the trial's raw output: clean it as the live lines are (runners/logtail.ts).
    return lines.slice(-n).map(sanitizeLine);
  } finally {
    fs.closeSync(fd);
  }
}
