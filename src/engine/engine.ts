// The engine: between proposers and runners. This file is its lifecycle (start, resume, the pump,
// interrupt, detach) and a trial's way from start to decision; the rules live beside it, one job a
// file: dispatch.ts (what starts), budget.ts (when to stop), propose.ts, live.ts (output and metric
// batching, pruning), judge.ts (the verdict), commands.ts (the operator). Every decision is
// appended to the journal before the store sees it.
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, NightshiftEvent, Overrides } from '../events.js';
import type { Journal } from '../journal.js';
import type { HostEvent, Runner } from '../runner.js';
import { getTrial, type CampaignState } from '../state.js';
import type { Store } from '../store.js';
import type { Proposer, ProposerSide } from '../types.js';
import type { CancelIntent } from '../state/rules.js';
import { FrozenFiles } from '../frozen.js';
import { resumedEvent, startedEvent } from './lifecycle-events.js';
import { budgetReason, failsCampaign, nowhereReason } from './budget.js';
import * as commands from './commands.js';
import * as review from './review.js';
import { dispatchPlan, proposalsWanted, type Ready } from './dispatch.js';
import { Cohorts, CompletedCurves, TrialHistory } from './incremental.js';
import { METRIC_FLUSH_MS, type LiveTrial } from './live.js';
import { hybridNext } from './hybrid.js';
import { proposeBatch } from './propose.js';
import { INTERRUPTED, Trials } from './trials.js';

export type { CommandResult } from './commands.js';
export { renderCommand } from './command.js';
export { configHash } from './lifecycle-events.js';

const PROPOSER_RETRY_MS = 2000;

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
  /** Called on every pass of the pump after dispatch (the code-trial prepare stage starts its work here). */
  prepare?: () => void;
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
  private readonly prepare: (() => void) | undefined;
  private readonly frozen: FrozenFiles;
  private readonly trials: Trials;
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
    this.trials = new Trials({
      config: this.config,
      outDir: this.outDir,
      runner: this.runner,
      state: () => this.state,
      emit: (b) => this.emit(b),
      clock: this.clock,
      frozen: this.frozen,
      cohorts: this.cohorts,
      completedCurves: this.completedCurves,
      kick: () => this.kick(),
      fail: (err) => this.fail(err),
      closed: () => this.closed,
      stopping: () => this.stopping,
      settled: () => this.onTrialSettled?.(),
    });
    this.prepare = opts.prepare;
    const ready = opts.ready ?? (() => true);
    this.ready = (t) => !this.trials.startingIds.has(t.id) && ready(t);
  }

  get state(): CampaignState {
    return this.store.getState();
  }

  /** The journal is closed: nothing more may be emitted (a model call that ends after that is dropped). */
  get isClosed(): boolean {
    return this.closed;
  }

  emit(body: EventBody): NightshiftEvent {
    const e = this.journal.append(body);
    this.store.apply(e);
    this.history.onEvent(e);
    this.cohorts.onEvent(e);
    this.completedCurves.onEvent(e, this.state);
    // The hybrid switch judges every decision and failure; the next proposal comes from the side it chose.
    const next = this.config.hybrid && !this.closed ? hybridNext(this.config.hybrid, this.state, e) : null;
    if (next) this.emit(next);
    return e;
  }

  // ---------------------------------------------------------------- start / resume

  /** Starts a new campaign (the journal must be empty). */
  start(): Promise<Outcome> {
    this.emit(startedEvent(this.config, this.frozen, this.overrides));
    this.runner.open((e) => this.onHost(e));
    return this.loop();
  }

  /** Continues a replayed campaign: re-attaches live trials, records lost ones and re-queues their params. */
  resume(torn: boolean): Promise<Outcome> {
    this.emit(resumedEvent(this.config, torn, this.overrides));
    // A campaign paused when its supervisor went away would otherwise sit idle (headless has no key to unpause).
    if (this.state.paused) this.emit({ type: 'operator.resume', reason: '`nightshift resume` continues dispatch' });
    this.runner.open((e) => this.onHost(e));
    this.trials.reattachAll().then(
      () => void this.loop(),
      (err) => this.fail(err),
    );
    return this.runPromise;
  }

  /** A host came up (its slots may be free now) or went down: journaled, then dispatch looks again. */
  private onHost(e: HostEvent): void {
    if (this.closed) return;
    this.emit(e);
    this.kick();
  }

  private loop(): Promise<Outcome> {
    if (this.closed) return this.runPromise;
    this.flushTimer = setInterval(() => {
      for (const live of this.trials.live.values()) this.trials.flushMetrics(live);
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
      const why = budgetReason(s, this.config, this.outDir, this.clock()) ?? nowhereReason(s, this.runner.unusable?.());
      if (why) {
        this.emit({ type: 'budget.exhausted', ...why });
        this.proposing?.abort();
        s = this.state;
      }
    }
    if (s.exhausted) {
      if (s.running.length === 0 && this.trials.idle()) {
        this.emit({ type: 'campaign.finished', reason: s.exhausted.reason });
        this.close();
        this.resolveRun(failsCampaign(s.exhausted.which) ? { kind: 'finished', reason: s.exhausted.reason, failed: true } : { kind: 'finished', reason: s.exhausted.reason });
      }
      return;
    }
    const trialsLeft = this.config.budget.trials !== undefined ? this.config.budget.trials - s.counted - this.trials.startingIds.size : Infinity;
    for (const { id, placement } of dispatchPlan(s, this.runner.free(), trialsLeft, this.ready, (id) => getTrial(s, id))) {
      this.trials.start(id, placement).catch((err) => this.fail(err));
    }
    s = this.state;
    const want = proposalsWanted(this.config, s, this.runner.free().length, this.trials.startingIds.size);
    // While the hybrid's question waits for the operator no model is called: both sides stalled, so
    // more proposals would only spend. (An operator's own pause keeps the queue filled, to curate.)
    if (want > 0 && !this.proposing && !s.proposer_exhausted && s.ask === null) this.propose(want);
    this.prepare?.();
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

  /** Learning curves of completed (scored) trials, for the pruner and the TUI's median curve. */
  completed(): Array<ReadonlyMap<number, number>> {
    return this.completedCurves.curves();
  }

  /**
   * An internal failure (disk full, a bug): stop supervising but leave running trials alone, so
   * that `resume` re-attaches to them and nothing in the journal is lost.
   */
  fail(err: unknown): void {
    if (this.closed) return;
    const message = (err as Error)?.message ?? String(err);
    for (const live of this.trials.live.values()) live.handle?.detach();
    this.stopping = 'detach';
    try {
      this.close();
    } catch {
      // The journal may be what failed.
    }
    this.resolveRun({ kind: 'failed', error: message });
  }

  // ---------------------------------------------------------------- operator commands (commands.ts)

  /** The last output lines of a trial, from memory (safe during a render). */
  tail(id: number, n = 40): string[] {
    return this.trials.tail(id, n);
  }
  watched(id: number): LiveTrial | undefined {
    return this.trials.finishing.has(id) ? undefined : this.trials.live.get(id);
  }
  starting(id: number): boolean {
    return this.trials.startingIds.has(id);
  }
  requestCancel(live: LiveTrial, intent: CancelIntent, journaled = false): boolean {
    return this.trials.requestCancel(live, intent, journaled);
  }
  proposerNames(): string[] {
    return [...this.proposers.keys()];
  }
  abortProposing(): void {
    this.proposing?.abort();
  }
  pause = (reason?: string) => commands.pause(this, reason);
  resumeDispatch = (reason?: string) => commands.resumeDispatch(this, reason);
  stopTrial = (id: number, mode: 'prune' | 'kill', reason?: string) => commands.stopTrial(this, id, mode, reason);
  promote = (id: number, reason?: string) => commands.promote(this, id, reason);
  reorder = (id: number, delta: number, reason?: string) => commands.reorder(this, id, delta, reason);
  drop = (id: number, reason?: string) => commands.drop(this, id, reason);
  switchProposer = (name: string, reason?: string) => commands.switchProposer(this, name, reason);
  availableProposers(): string[] {
    return this.proposerNames();
  }
  proposerSide(name: string): ProposerSide {
    return this.proposers.get(name)?.side ?? 'params';
  }
  approve = (id: number, reason?: string) => review.approve(this, id, reason);
  reject = (id: number, note?: string) => review.reject(this, id, note);
  editDiff = (id: number, diff: string, reason?: string) => review.editDiff(this, id, diff, reason);
  addNote = (text: string) => review.addNote(this, text);
  setReview = (mode: 'auto' | 'manual') => review.setReview(this, mode);
  switchSide = (dropQueued: boolean, reason?: string) => review.switchSide(this, dropQueued, reason);

  // ---------------------------------------------------------------- stopping

  /**
   * Stops the campaign: running trials get a cooperative stop (then SIGKILL after the grace),
   * are recorded lost and re-queued, so `resume` runs them again. Resolves when all are down.
   */
  interrupt(hard = false): Promise<Outcome> {
    if (this.stopping === 'interrupt') {
      if (hard) for (const live of this.trials.live.values()) void live.handle?.cancel('kill', 0);
      return this.runPromise;
    }
    this.stopping = 'interrupt';
    this.proposing?.abort();
    this.emit({ type: 'operator.quit', leave_running: false, reason: hard ? 'SIGKILL' : 'interrupted' });
    const done = () => {
      if (this.trials.live.size === 0 && this.trials.startingIds.size === 0) {
        this.close();
        this.resolveRun({ kind: 'interrupted' });
      }
    };
    this.onTrialSettled = done;
    for (const live of this.trials.live.values()) {
      if (this.trials.finishing.has(live.id)) continue; // being decided already; it settles by itself
      // Lost and re-queued; one that has already exited is judged by its exit instead.
      this.trials.requestCancel(live, { ...INTERRUPTED, mode: hard ? 'kill' : 'stop' });
    }
    // Trials already finishing are decided normally by finish(); interrupted ones are lost and re-queued there.
    done();
    return this.runPromise;
  }

  /** Leaves running trials alone and stops supervising; `resume` re-attaches to them. */
  detach(): Promise<Outcome> {
    this.stopping = 'detach';
    this.proposing?.abort();
    this.emit({ type: 'operator.quit', leave_running: true, reason: `${this.trials.live.size} trial(s) left running` });
    for (const live of this.trials.live.values()) {
      this.trials.flushMetrics(live);
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

  /** Closed or stopping: nothing new starts or is journaled by the stages. */
  stopped(): boolean {
    return this.closed || this.stopping !== null;
  }

  liveIds(): number[] {
    return [...this.trials.live.keys()];
  }
}
