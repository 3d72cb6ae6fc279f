// The engine: between proposers and runners. This file is its lifecycle (start, resume, the pump,
// interrupt, detach) and a trial's way from start to decision; the rules live beside it, one job a
// file: dispatch.ts (what starts), budget.ts (when to stop), propose.ts, live.ts (output and metric
// batching, pruning), judge.ts (the verdict), commands.ts (the operator). Every decision is
// appended to the journal before the store sees it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, NightshiftEvent, Overrides } from '../events.js';
import type { Journal } from '../journal.js';
import { trialDir } from '../paths.js';
import type { ExitInfo, Locator, Placement, Runner } from '../runner.js';
import { getTrial, type CampaignState, type TrialState } from '../state.js';
import type { Store } from '../store.js';
import type { Proposer } from '../types.js';
import type { CancelIntent } from '../state-rules.js';
import { FrozenFiles } from '../frozen.js';
import { budgetReason, journaledBudget } from './budget.js';
import { renderCommand } from './command.js';
import * as commands from './commands.js';
import { dispatchPlan, proposalsWanted, type Ready } from './dispatch.js';
import { evaluatorResult } from './evaluate.js';
import { cancelledFate } from './fate.js';
import { Cohorts, CompletedCurves, TrialHistory } from './incremental.js';
import { judge } from './judge.js';
import { fingerprint, trialEnv, trialLaunch } from './launch.js';
import { METRIC_FLUSH_MS, confirmedPrune, considerPrune, makeLive, onLine, takePending, type LiveTrial } from './live.js';
import { proposeBatch } from './propose.js';
import { moveAsideStaleDir } from './trialdir.js';

export type { CommandResult } from './commands.js';
export { renderCommand } from './command.js';

/** Output lines kept for the detail view of a trial that has finished (the last TAILS_KEPT trials). */
const TAIL_LINES = 200;
const TAILS_KEPT = 32;
const PROPOSER_RETRY_MS = 2000;
const INTERRUPTED: CancelIntent = { by: 'interrupt', mode: 'stop', reason: 'stopped when the operator interrupted the campaign' };

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
  /** Whether a queued trial may start now (the code-trial stages plug in here); default: all. */
  ready?: Ready;
}

export function configHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

export class Engine implements commands.CommandCore {
  private readonly config: CampaignConfig;
  private readonly journal: Journal;
  private readonly store: Store;
  private readonly runner: Runner;
  private readonly proposers: Map<string, Proposer>;
  private readonly clock: () => number;
  private readonly outDir: string;
  private readonly proposerRetryMs: number;
  private readonly overrides: Overrides | undefined;
  private readonly ready: Ready;
  private readonly frozen: FrozenFiles;
  private readonly live = new Map<number, LiveTrial>();
  /** Queued trials whose start is under way (the runner has not said where they run yet). */
  private readonly startingIds = new Set<number>();
  /** Trials whose process ended and that are being evaluated/decided. */
  private readonly finishing = new Set<number>();
  /** The output tails of recently finished trials, and loads of older ones under way. */
  private readonly tails = new Map<number, string[]>();
  private readonly tailLoads = new Set<number>();
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
    const ready = opts.ready ?? (() => true);
    this.ready = (t) => !this.startingIds.has(t.id) && ready(t);
  }

  get state(): CampaignState {
    return this.store.getState();
  }

  emit(body: EventBody): NightshiftEvent {
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
    this.runner.open((e) => this.emit(e));
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
    this.runner.open((e) => this.emit(e));
    this.reattachAll().then(
      () => void this.loop(),
      (err) => this.fail(err),
    );
    return this.runPromise;
  }

  private async reattachAll(): Promise<void> {
    for (const id of [...this.state.running]) {
      const t = getTrial(this.state, id)!;
      const slot = t.slot ?? 0;
      const live = makeLive(this.config, id, slot, this.clock());
      live.skipThroughStep = t.curve.lastStep;
      // A stop the previous supervisor asked for stands: the trial is judged by it, whatever its exit.
      live.cancel = t.cancel ?? null;
      const got = t.locator
        ? await this.runner.reattach({ id, locator: t.locator, slot, maxLogBytes: this.config.max_log_bytes }, (line) => this.onLine(live, line))
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
        live.startedAt = t.started_at ?? this.clock();
        // Deliver it again: the previous supervisor may have died before it reached the trial.
        if (live.cancel) void got.trial.cancel(live.cancel.mode, this.config.kill_grace_ms);
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
  }

  private loseAndRequeue(t: TrialState, reason: string): void {
    this.emit({ type: 'trial.decided', id: t.id, status: 'lost', reason: `${reason}; re-queued`, score: null, best: false });
    this.emit({ type: 'trial.proposed', id: this.state.trial_count + 1, proposer: t.proposer, proposal: t.proposal, requeue_of: t.id });
  }

  private loop(): Promise<Outcome> {
    if (this.closed) return this.runPromise;
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
      try {
        this.pump();
      } catch (err) {
        this.fail(err);
      }
    });
  }

  private pump(): void {
    if (this.closed || this.stopping) return;
    let s = this.state;
    if (s.finished) return;
    if (!s.exhausted) {
      const why = budgetReason(s, this.config, this.outDir, this.clock());
      if (why) {
        this.emit({ type: 'budget.exhausted', ...why });
        this.proposing?.abort();
        s = this.state;
      }
    }
    if (s.exhausted) {
      if (s.running.length === 0 && this.live.size === 0 && this.finishing.size === 0 && this.startingIds.size === 0) {
        this.emit({ type: 'campaign.finished', reason: s.exhausted.reason });
        this.close();
        this.resolveRun(s.exhausted.which === 'crashes' ? { kind: 'finished', reason: s.exhausted.reason, failed: true } : { kind: 'finished', reason: s.exhausted.reason });
      }
      return;
    }
    const trialsLeft = this.config.budget.trials !== undefined ? this.config.budget.trials - s.counted - this.startingIds.size : Infinity;
    for (const { id, placement } of dispatchPlan(s, this.runner.free(), trialsLeft, this.ready, (id) => getTrial(s, id))) {
      this.startTrial(id, placement).catch((err) => this.fail(err));
    }
    s = this.state;
    const want = proposalsWanted(this.config, s, this.runner.free().length, this.startingIds.size);
    if (want > 0 && !this.proposing && !s.proposer_exhausted) this.propose(want);
  }

  private propose(k: number): void {
    const ctrl = new AbortController();
    this.proposing = ctrl;
    const deps = {
      config: this.config,
      state: () => this.state,
      proposers: this.proposers,
      history: this.history,
      emit: (b: EventBody) => void this.emit(b),
      stopped: () => this.closed || this.stopping !== null,
      closed: () => this.closed,
      kick: () => this.kick(),
      retryMs: this.proposerRetryMs,
    };
    proposeBatch(deps, k, ctrl)
      .catch((err) => this.fail(err))
      .finally(() => {
        if (this.proposing === ctrl) this.proposing = null;
      });
  }

  // ---------------------------------------------------------------- trials

  private async startTrial(id: number, placement: Placement): Promise<void> {
    const t = getTrial(this.state, id)!;
    const dir = trialDir(this.outDir, id);
    moveAsideStaleDir(dir);
    const live = makeLive(this.config, id, placement.slot, this.clock());
    this.startingIds.add(id);
    try {
      live.handle = await this.runner.start(trialLaunch(this.config, t, dir), placement, (line) => this.onLine(live, line));
    } finally {
      this.startingIds.delete(id);
    }
    const handle = live.handle;
    // Left running for `resume`, like every other trial, when the supervisor detached meanwhile.
    if (this.closed || this.stopping === 'detach') return handle.detach();
    this.live.set(id, live);
    const { locator, hardware } = handle;
    this.emit({
      type: 'trial.started',
      id,
      slot: placement.slot,
      host: this.config.parallel > 1 ? `${placement.host}:${placement.slot}` : placement.host,
      locator,
      fingerprint: fingerprint(this.config, locator.host, hardware),
    });
    this.armTimeout(live, this.config.budget.trial_timeout_ms);
    void handle.done.then((exit) => this.finish(live, exit));
    // Started while an interrupt was stopping the others: it stops too (lost and re-queued).
    if (this.stopping === 'interrupt') this.requestCancel(live, INTERRUPTED);
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
  requestCancel(live: LiveTrial, intent: CancelIntent, journaled = false): boolean {
    if (!live.handle || live.handle.ended() || this.finishing.has(live.id)) return false;
    if (!journaled) this.emit({ type: 'trial.cancel_requested', id: live.id, ...intent });
    live.cancel = intent;
    void live.handle.cancel(intent.mode, this.config.kill_grace_ms);
    return true;
  }

  private onLine(live: LiveTrial, line: string): void {
    onLine(live, line);
  }

  private flushMetrics(live: LiveTrial): void {
    const prune = confirmedPrune(live, this.clock());
    if (prune) this.requestCancel(live, prune);
    const points = takePending(live);
    if (!points) return;
    this.emit({ type: 'trial.metric', id: live.id, points });
    if (points[this.config.metric.name]) considerPrune(live, getTrial(this.state, live.id), this.config, this.completedCurves, this.clock());
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
    const locator = live.handle?.locator ?? t.locator ?? { runner: 'local', host: '', pid: -1, dir: trialDir(this.outDir, t.id) };
    const verdict = await judge(t, exit, live.cancel, {
      config: this.config,
      state: this.state,
      cohorts: this.cohorts.size,
      lastLine: live.lastLine,
      frozenChanged: () => this.frozen.changed(this.state.frozen),
      evaluate: () => this.evaluate(t, locator),
    });
    if (this.closed) return;
    this.emit({ type: 'trial.finished', id: live.id, exit_code: exit.code, signal: exit.signal, duration_ms: duration, metrics: verdict.metrics, score: verdict.score });
    if (verdict.status === 'lost') this.loseAndRequeue(t, verdict.reason);
    else this.emit({ type: 'trial.decided', id: live.id, status: verdict.status, reason: verdict.reason, score: verdict.score, best: verdict.best });
    this.live.delete(live.id);
    if (live.handle) {
      this.keepTail(live.id, live.handle.tail(TAIL_LINES));
      live.handle.release();
    }
    // Whoever still holds the LiveTrial (a late line callback) must not keep the handle alive.
    live.handle = null;
    this.finishing.delete(live.id);
    this.kick();
    this.onTrialSettled?.();
  }

  /** The evaluator, run by the runner where the trial's outputs are, with the trial's environment. */
  private async evaluate(t: TrialState, locator: Locator) {
    const ev = this.config.evaluate!;
    const run = await this.runner.exec(locator, {
      command: renderCommand(ev.command, t.params, this.config.space),
      cwd: this.config.workdir,
      env: trialEnv(this.config, t, locator.dir),
      logName: 'evaluate.log',
      timeoutMs: ev.timeout_ms,
      killGraceMs: this.config.kill_grace_ms,
    });
    return evaluatorResult(run, this.config.metric.name, ev.timeout_ms);
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
    const locator = getTrial(this.state, id)?.locator;
    if (locator && !this.tailLoads.has(id)) {
      this.tailLoads.add(id);
      this.runner
        .tail(locator, TAIL_LINES)
        .then((lines) => this.keepTail(id, lines), () => this.keepTail(id, []))
        .finally(() => this.tailLoads.delete(id));
    }
    return [];
  }

  // ---------------------------------------------------------------- operator commands (commands.ts)

  watched(id: number): LiveTrial | undefined {
    return this.finishing.has(id) ? undefined : this.live.get(id);
  }
  starting(id: number): boolean {
    return this.startingIds.has(id);
  }
  proposerNames(): string[] {
    return [...this.proposers.keys()];
  }
  abortProposing(): void {
    this.proposing?.abort();
  }
  pause(reason?: string) {
    return commands.pause(this, reason);
  }
  resumeDispatch(reason?: string) {
    return commands.resumeDispatch(this, reason);
  }
  stopTrial(id: number, mode: 'prune' | 'kill', reason?: string) {
    return commands.stopTrial(this, id, mode, reason);
  }
  promote(id: number, reason?: string) {
    return commands.promote(this, id, reason);
  }
  reorder(id: number, delta: number, reason?: string) {
    return commands.reorder(this, id, delta, reason);
  }
  drop(id: number, reason?: string) {
    return commands.drop(this, id, reason);
  }
  switchProposer(name: string, reason?: string) {
    return commands.switchProposer(this, name, reason);
  }
  availableProposers(): string[] {
    return this.proposerNames();
  }

  // ---------------------------------------------------------------- stopping

  /**
   * Stops the campaign: running trials get a cooperative stop (then SIGKILL after the grace),
   * are recorded lost and re-queued, so `resume` runs them again. Resolves when all are down.
   */
  interrupt(hard = false): Promise<Outcome> {
    if (this.stopping === 'interrupt') {
      if (hard) for (const live of this.live.values()) void live.handle?.cancel('kill', 0);
      return this.runPromise;
    }
    this.stopping = 'interrupt';
    this.proposing?.abort();
    this.emit({ type: 'operator.quit', leave_running: false, reason: hard ? 'SIGKILL' : 'interrupted' });
    const done = () => {
      if (this.live.size === 0 && this.startingIds.size === 0) {
        this.close();
        this.resolveRun({ kind: 'interrupted' });
      }
    };
    this.onTrialSettled = done;
    for (const live of this.live.values()) {
      if (this.finishing.has(live.id)) continue; // being decided already; it settles by itself
      // Lost and re-queued; one that has already exited is judged by its exit instead.
      this.requestCancel(live, { ...INTERRUPTED, mode: hard ? 'kill' : 'stop' });
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
