// The pure reducer: state = events.reduce(fold, initialState()). The TUI, the headless printer,
// `report` and `export` all read this; nothing else holds campaign state that matters.
import type { Budget, DecisionStatus, EventBody, EventOf, Fingerprint, NightshiftEvent, Overrides } from './events.js';
import type { Goal, Params, Proposal, Space, TrialStatus, TrialView } from './types.js';
import type { Locator } from './runner.js';
import { Series } from './series.js';
import { summarizeOutput } from './trial-summary.js';
import { HEALTHY, NEW_STREAK, nextCrashStreak, operatorIntent, type CancelIntent, type CrashStreak, type ProposerHealth } from './state-rules.js';

export interface TrialState {
  id: number;
  status: TrialStatus;
  proposer: string;
  proposal: Proposal;
  params: Params;
  requeue_of?: number;
  proposed_at: number;
  started_at?: number;
  finished_at?: number;
  slot?: number;
  host?: string;
  /** Where the runner can find the trial again (rebuilt from pid and dir for version-1 journals). */
  locator?: Locator;
  fingerprint?: Fingerprint;
  /** The primary metric's learning curve. */
  curve: Series;
  /** Last reported value of every metric the trial printed. */
  last: Record<string, number>;
  exit_code?: number | null;
  signal?: string | null;
  duration_ms?: number;
  /** Final metrics (primary from the evaluator when configured). */
  metrics: Record<string, number>;
  score: number | null;
  reason: string;
  /** Became the best of its cohort when decided. */
  best: boolean;
  /** What the operator did to this trial, newest last (kill, promote, ...). */
  operator: string[];
  /** A stop asked for while it ran (pruner, timeout, operator, interrupt): decides its fate on resume. */
  cancel?: CancelIntent;
}

export type RunState = 'RUNNING' | 'PAUSED' | 'DRAINING' | 'FINISHED';

export interface OperatorEntry {
  t: number;
  type: string;
  text: string;
}

/** What a proposer's calls cost so far, summed over the campaign (proposer.usage events). */
export interface UsageTotals {
  calls: number;
  tokens_in: number;
  tokens_out: number;
  usd: number;
  /** The model of the latest call. */
  model: string;
}

export interface CampaignState extends ProposerHealth {
  seq: number;
  name: string;
  goal: Goal;
  metric: string;
  seed: number;
  proposer: string;
  proposers: string[];
  budget: Budget;
  /** Command-line overrides in force (see the campaign.started event). */
  overrides: Overrides;
  /** Undefined for journals written before these were recorded. */
  command?: string;
  space?: Space;
  parallel: number;
  frozen: Record<string, string>;
  config_hash: string;
  started_at: number;
  /** Wall time the supervisor was alive, summed over sessions (what `budget.wall` counts). */
  active_ms: number;
  last_event_at: number;
  sessions: number;
  /** Trials by id; ids start at 1 and are dense. Chunked so one update copies ~100 slots, not all. */
  trials: TrialState[][];
  trial_count: number;
  /** Queued trial ids in dispatch order. */
  queue: number[];
  /** Running trial ids in start order. */
  running: number[];
  /** Best trial id per fingerprint cohort key. */
  best_by_cohort: Record<string, number>;
  /** The best of the cohort that decided most recently (the campaign's headline best). */
  best: number | null;
  /**
   * The best, unless the operator promoted another finished trial: the curves panel's reference and
   * ctx.incumbent for proposers. The numeric proposers (random, grid, TPE, CMA-ES) do not read it.
   */
  incumbent: number | null;
  paused: boolean;
  exhausted: { which: string; reason: string } | null;
  finished: { reason: string } | null;
  counts: Partial<Record<TrialStatus, number>>;
  /** Trials that count toward budget.trials: started and not lost. */
  counted: number;
  /** Finished trials (not lost) since the last improvement (patience). */
  since_improvement: number;
  operator_log: OperatorEntry[];
  warnings: string[];
  /** Same-reason crashes in a row from the start of this session (budget.first_crashes). */
  crash_streak: CrashStreak;
  /** Spend per proposer name (only proposers that report usage appear). */
  usage: Record<string, UsageTotals>;
}

const CHUNK = 64;

export function initialState(): CampaignState {
  return {
    seq: 0,
    name: '',
    goal: 'minimize',
    metric: '',
    seed: 0,
    proposer: '',
    proposers: [],
    budget: {},
    overrides: {},
    parallel: 1,
    frozen: {},
    config_hash: '',
    started_at: 0,
    active_ms: 0,
    last_event_at: 0,
    sessions: 0,
    trials: [],
    trial_count: 0,
    queue: [],
    running: [],
    best_by_cohort: {},
    best: null,
    incumbent: null,
    paused: false,
    exhausted: null,
    finished: null,
    counts: {},
    counted: 0,
    since_improvement: 0,
    operator_log: [],
    warnings: [],
    crash_streak: NEW_STREAK,
    usage: {},
    ...HEALTHY,
  };
}

export function getTrial(s: CampaignState, id: number): TrialState | undefined {
  if (id < 1 || id > s.trial_count) return undefined;
  return s.trials[(id - 1) >> 6][(id - 1) & (CHUNK - 1)];
}

export function allTrials(s: CampaignState): TrialState[] {
  return s.trials.flat();
}

export function runState(s: CampaignState): RunState {
  if (s.finished) return 'FINISHED';
  if (s.exhausted) return 'DRAINING';
  if (s.paused) return 'PAUSED';
  return 'RUNNING';
}

/** Elapsed active wall time at `now` (counts the current session up to now while it is live). */
export function elapsedMs(s: CampaignState, now: number): number {
  if (s.finished) return s.active_ms;
  return s.active_ms + Math.max(0, now - s.last_event_at);
}

export function trialView(t: TrialState): TrialView {
  return {
    id: t.id,
    status: t.status,
    params: t.params,
    diff: t.proposal.kind === 'code' ? t.proposal.diff : undefined,
    hypothesis: t.proposal.kind === 'code' ? t.proposal.hypothesis : undefined,
    score: t.score,
    lastValue: t.curve.lastValue,
    lastStep: t.curve.lastStep,
    reason: t.reason,
    summary: summarizeOutput([t.reason]),
    proposer: t.proposer,
  };
}

function setTrial(s: CampaignState, t: TrialState): TrialState[][] {
  const c = (t.id - 1) >> 6;
  const trials = s.trials.slice();
  const chunk = c < trials.length ? trials[c].slice() : [];
  chunk[(t.id - 1) & (CHUNK - 1)] = t;
  trials[c] = chunk;
  return trials;
}

function bump(counts: CampaignState['counts'], from: TrialStatus | null, to: TrialStatus): CampaignState['counts'] {
  const next = { ...counts };
  if (from) next[from] = (next[from] ?? 1) - 1;
  next[to] = (next[to] ?? 0) + 1;
  return next;
}

function without(ids: number[], id: number): number[] {
  const i = ids.indexOf(id);
  if (i < 0) return ids;
  return [...ids.slice(0, i), ...ids.slice(i + 1)];
}

function updateTrial(s: CampaignState, id: number, patch: Partial<TrialState>): CampaignState {
  const t = getTrial(s, id);
  if (!t) return s;
  const next = { ...t, ...patch };
  const counts = patch.status && patch.status !== t.status ? bump(s.counts, t.status, patch.status) : s.counts;
  return { ...s, trials: setTrial(s, next), counts };
}

function logOperator(s: CampaignState, t: number, type: string, text: string): OperatorEntry[] {
  return [...s.operator_log, { t, type, text }];
}

const withReason = (text: string, reason?: string) => (reason ? `${text} — ${reason}` : text);

/** Folds one event into the state. Pure: never mutates `s`. */
export function fold(s0: CampaignState, e: NightshiftEvent): CampaignState {
  let s: CampaignState = { ...s0, seq: e.seq };
  // Active time: only gaps inside one supervisor session count.
  if (e.type === 'campaign.started') s.active_ms = 0;
  else if (e.type !== 'campaign.resumed' && s.last_event_at) s.active_ms += Math.max(0, e.t - s.last_event_at);
  s.last_event_at = e.t;
  return apply(s, e);
}

function apply(s: CampaignState, e: NightshiftEvent & EventBody): CampaignState {
  switch (e.type) {
    case 'campaign.started':
      return {
        ...s,
        name: e.name,
        goal: e.goal,
        metric: e.metric,
        seed: e.seed,
        proposer: e.proposer,
        proposers: e.proposers,
        config_hash: e.config_hash,
        frozen: e.frozen,
        budget: e.budget,
        overrides: e.overrides ?? {},
        command: e.command,
        space: e.space,
        parallel: e.parallel,
        started_at: e.t,
        sessions: 1,
      };
    case 'campaign.resumed':
      return {
        ...s,
        sessions: s.sessions + 1,
        budget: e.budget ?? s.budget,
        overrides: e.overrides ?? s.overrides,
        // A campaign that had finished and is resumed with a larger budget runs again, and its
        // proposer gets a fresh count of failures (the operator may have fixed the endpoint).
        finished: null,
        proposer_failures: s.finished ? 0 : s.proposer_failures,
        crash_streak: NEW_STREAK,
        exhausted: null,
        warnings: e.torn_line ? [...s.warnings, 'the journal ended in a torn line (a crash mid-write); it was dropped'] : s.warnings,
      };
    case 'trial.proposed': {
      const id = e.id;
      const t: TrialState = {
        id,
        status: 'queued',
        proposer: e.proposer,
        proposal: e.proposal,
        params: e.proposal.params ?? {},
        requeue_of: e.requeue_of,
        proposed_at: e.t,
        curve: Series.EMPTY,
        last: {},
        metrics: {},
        score: null,
        reason: e.requeue_of ? `re-run of lost trial #${e.requeue_of}` : '',
        best: false,
        operator: [],
      };
      // Re-runs of lost trials go first: they were already due.
      const queue = e.requeue_of ? [id, ...s.queue] : [...s.queue, id];
      return {
        ...s,
        trials: setTrial(s, t),
        trial_count: Math.max(s.trial_count, id),
        queue,
        counts: bump(s.counts, null, 'queued'),
        // A proposal made: the proposer works again (re-runs of lost trials are not its work).
        proposer_failures: e.requeue_of ? s.proposer_failures : 0,
      };
    }
    case 'trial.started': {
      const next = updateTrial(s, e.id, {
        status: 'running',
        started_at: e.t,
        slot: e.slot,
        host: e.host,
        locator: e.locator ?? (e.pid !== undefined && e.dir !== undefined ? { runner: 'local', host: e.host, pid: e.pid, pid_start: e.pid_start, dir: e.dir } : undefined),
        fingerprint: e.fingerprint,
      });
      return { ...next, queue: without(next.queue, e.id), running: [...next.running, e.id], counted: next.counted + 1 };
    }
    case 'trial.metric': {
      const t = getTrial(s, e.id);
      if (!t) return s;
      const last = { ...t.last };
      for (const [name, pts] of Object.entries(e.points)) if (pts.length) last[name] = pts[pts.length - 1][1];
      const primary = e.points[s.metric];
      return updateTrial(s, e.id, { last, curve: primary ? t.curve.append(primary) : t.curve });
    }
    case 'trial.cancel_requested':
      return updateTrial(s, e.id, { cancel: { by: e.by, mode: e.mode, reason: e.reason } });
    case 'trial.finished':
      return updateTrial(s, e.id, {
        exit_code: e.exit_code,
        signal: e.signal,
        duration_ms: e.duration_ms,
        metrics: e.metrics,
        score: e.score,
        finished_at: e.t,
      });
    case 'trial.decided':
      return decide(s, e);
    case 'operator.pause':
      return { ...s, paused: true, operator_log: logOperator(s, e.t, e.type, withReason('paused dispatch', e.reason)) };
    case 'operator.resume':
      return { ...s, paused: false, operator_log: logOperator(s, e.t, e.type, withReason('resumed dispatch', e.reason)) };
    case 'operator.kill': {
      const t = getTrial(s, e.id);
      if (!t) return s;
      const text = withReason(`${e.mode === 'kill' ? 'killed' : 'pruned'} #${e.id}`, e.reason);
      const cancel = operatorIntent(e.mode, e.reason);
      return { ...updateTrial(s, e.id, { operator: [...t.operator, text], cancel }), operator_log: logOperator(s, e.t, e.type, text) };
    }
    case 'operator.promote': {
      const t = getTrial(s, e.id);
      if (!t) return s;
      const text = withReason(
        t.status === 'queued' ? `promoted queued #${e.id} to run next` : `promoted #${e.id} to incumbent`,
        e.reason,
      );
      let next = updateTrial(s, e.id, { operator: [...t.operator, text] });
      if (t.status === 'queued') next = { ...next, queue: [e.id, ...without(next.queue, e.id)] };
      else next = { ...next, incumbent: e.id };
      return { ...next, operator_log: logOperator(s, e.t, e.type, text) };
    }
    case 'operator.reorder': {
      if (!s.queue.includes(e.id)) return s;
      const queue = without(s.queue, e.id);
      const to = Math.max(0, Math.min(queue.length, e.to));
      queue.splice(to, 0, e.id);
      return { ...s, queue, operator_log: logOperator(s, e.t, e.type, withReason(`moved #${e.id} to queue position ${to + 1}`, e.reason)) };
    }
    case 'operator.drop': {
      const t = getTrial(s, e.id);
      if (!t || t.status !== 'queued') return s;
      const text = withReason(`dropped queued #${e.id}`, e.reason);
      const next = updateTrial(s, e.id, { status: 'dropped', reason: text, operator: [...t.operator, text] });
      return { ...next, queue: without(next.queue, e.id), operator_log: logOperator(s, e.t, e.type, text) };
    }
    case 'operator.switch':
      return {
        ...s,
        proposer: e.proposer,
        ...HEALTHY,
        operator_log: logOperator(s, e.t, e.type, withReason(`switched proposer ${s.proposer} → ${e.proposer}`, e.reason)),
      };
    case 'operator.approve':
    case 'operator.reject':
      return { ...s, operator_log: logOperator(s, e.t, e.type, withReason(`${e.type.slice(9)}d #${e.id}`, e.reason)) };
    case 'operator.quit':
      return {
        ...s,
        operator_log: logOperator(s, e.t, e.type, withReason(e.leave_running ? 'quit, leaving trials running' : 'quit', e.reason)),
      };
    case 'proposer.escalated':
      if (e.to === undefined) return { ...s, operator_log: logOperator(s, e.t, e.type, escalationText(e)) };
      return { ...s, proposer: e.to, ...HEALTHY, operator_log: logOperator(s, e.t, e.type, escalationText(e)) };
    case 'proposer.usage':
      return { ...s, usage: { ...s.usage, [e.proposer]: addUsage(s.usage[e.proposer], e) } };
    case 'proposer.failed':
      return {
        ...s,
        proposer_failures: s.proposer_failures + 1,
        proposer_error: e.error,
        warnings: [...s.warnings.slice(-19), `proposer ${e.proposer} failed: ${e.error}`],
      };
    case 'proposer.exhausted':
      return { ...s, proposer_failures: 0, proposer_exhausted: true };
    case 'budget.exhausted':
      return { ...s, exhausted: { which: e.which, reason: e.reason } };
    case 'campaign.finished':
      return { ...s, finished: { reason: e.reason } };
    case 'host.up':
    case 'host.down':
      return s;
  }
}

/** How a switch request reads in the operator log and the headless output. */
export function escalationText(e: Pick<EventOf<'proposer.escalated'>, 'from' | 'to' | 'side' | 'reason'>): string {
  if (e.to === undefined) return `proposer ${e.from} asked for a ${e.side ?? 'different'} proposer, but none is configured: ${e.reason}`;
  return `proposer escalated ${e.from} → ${e.to}: ${e.reason}`;
}

function addUsage(u: UsageTotals | undefined, e: EventOf<'proposer.usage'>): UsageTotals {
  return {
    calls: (u?.calls ?? 0) + 1,
    tokens_in: (u?.tokens_in ?? 0) + e.tokens_in,
    tokens_out: (u?.tokens_out ?? 0) + e.tokens_out,
    usd: (u?.usd ?? 0) + e.usd,
    model: e.model,
  };
}

function decide(s: CampaignState, e: Extract<NightshiftEvent, { type: 'trial.decided' }>): CampaignState {
  const t = getTrial(s, e.id);
  if (!t) return s;
  const status: DecisionStatus = e.status;
  let next = updateTrial(s, e.id, { status, reason: e.reason, score: e.score, best: e.best, finished_at: t.finished_at ?? e.t });
  next = { ...next, running: without(next.running, e.id), queue: without(next.queue, e.id), crash_streak: nextCrashStreak(s.crash_streak, status, e.reason) };
  if (status === 'lost' && t.started_at !== undefined) next.counted -= 1;
  if (e.best) {
    const cohort = t.fingerprint?.key ?? '';
    next.best_by_cohort = { ...next.best_by_cohort, [cohort]: e.id };
    next.best = e.id;
    next.incumbent = e.id;
    next.since_improvement = 0;
  } else if (status !== 'lost') {
    // Crashes and prunes count too: a campaign that only crashes has stopped improving.
    next.since_improvement += 1;
  }
  return next;
}

/** Replays events from scratch. */
export function replay(events: Iterable<NightshiftEvent>): CampaignState {
  let s = initialState();
  for (const e of events) s = fold(s, e);
  return s;
}

/** Score of the best trial, or null. */
export function bestScore(s: CampaignState): number | null {
  return s.best === null ? null : (getTrial(s, s.best)?.score ?? null);
}
