// The reducer's state: what a campaign is after its journal so far. The TUI, the headless printer,
// `report` and `export` read it; the domain files next to this one (trials, queue, operator, budget,
// campaign, proposer) fold events into it.
import type { Budget, EventOf, EventType, Fingerprint, Overrides } from '../events.js';
import type { Goal, Params, Proposal, Space, TrialStatus } from '../types.js';
import type { Locator } from '../runner.js';
import type { Series } from '../series.js';
import { HEALTHY, NEW_STREAK, type CancelIntent, type CrashStreak, type ProposerHealth } from './rules.js';

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
  /** It ran inside the sandbox (trial.started said so). */
  sandboxed?: boolean;
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
  /** Campaigns with `mutable:`: the trial's commit and worktree once prepared (trial.prepared). */
  commit?: string;
  base?: string;
  workdir?: string;
  digest?: string;
  /** Code proposals under review: manual wait for operator.approve. */
  approved?: boolean;
  /** A person changed the proposal's diff (operator.edit). */
  edited?: boolean;
}

/** A runner's host as last reported (host.up / host.down). */
export interface HostState {
  name: string;
  status: 'up' | 'down' | 'reconnecting';
  reason: string;
  slots?: number;
  /** An SSH host; the hosts line is shown only when there is one. */
  remote: boolean;
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
  /** Calls whose tokens were estimated from text length (the server reported no usage); llm.call totals only. */
  estimated?: number;
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
  /** Model calls per proposer as journaled (llm.call), failed ones included: what budget.usd counts. */
  llm: Record<string, UsageTotals>;
  /** Operator notes and reject notes, oldest first (every later LLM prompt carries them). */
  notes: string[];
  /** Whether code proposals wait for the operator (operator.review; the campaign file's `review:` at start). */
  review: 'auto' | 'manual';
  /** Why the active proposer is active, when a switch (operator, escalation, fallback) put it there. */
  active_reason: string;
  /** The hybrid switch asked the operator what to do (proposer.ask); cleared by the next switch or resume. */
  ask: string | null;
  /** Trials decided `invalid` since a trial last started, and the last one's reason (a model whose every edit is refused). */
  invalid_streak: { count: number; reason: string };
  /** Hosts in the order they first reported (host.up / host.down). */
  hosts: HostState[];
}

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
    llm: {},
    notes: [],
    review: 'auto',
    active_reason: '',
    ask: null,
    invalid_streak: { count: 0, reason: '' },
    hosts: [],
    ...HEALTHY,
  };
}

/** How one event type changes the state. Pure: never mutates `s`. */
export type Handler<T extends EventType> = (s: CampaignState, e: EventOf<T>) => CampaignState;
/** A domain's share of the reducer: the events it folds. */
export type Handlers = { [T in EventType]?: Handler<T> };
