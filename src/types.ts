// Shared contracts between the engine, proposers and runners. No React, no I/O here.

/** One dimension of the search space, as written under `space:` in the campaign file. */
export type ParamSpec =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: Array<string | number | boolean> };

export type Space = Record<string, ParamSpec>;
export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

export type Goal = 'minimize' | 'maximize';

export type Proposal =
  | { kind: 'params'; params: Params; note?: string }
  | { kind: 'code'; hypothesis: string; diff: string; params?: Params };

/**
 * Every status a trial can have. The first three are live; the rest are final.
 * keep/discard carry a score; crash/timeout/pruned/killed/invalid/lost do not rank.
 */
export type TrialStatus =
  | 'queued'
  | 'running'
  | 'dropped'
  | 'keep'
  | 'discard'
  | 'crash'
  | 'timeout'
  | 'pruned'
  | 'killed'
  | 'invalid'
  | 'lost';

export const FINAL_STATUSES: ReadonlySet<TrialStatus> = new Set([
  'keep', 'discard', 'crash', 'timeout', 'pruned', 'killed', 'invalid', 'lost',
]);

/** What a proposer may know of a past or live trial. It never sees the evaluator or runner. */
export interface TrialView {
  id: number;
  status: TrialStatus;
  params: Params;
  /** For code trials. */
  diff?: string;
  hypothesis?: string;
  /** Final score (keep/discard only), null otherwise. */
  score: number | null;
  /** Last value of the primary metric seen so far (intermediate), for pruned/running trials. */
  lastValue: number | null;
  /** Last step reported for the primary metric. */
  lastStep: number | null;
  /** Failure label or decision reason, short. */
  reason: string;
  proposer: string;
}

export interface ProposerContext {
  space: Space;
  goal: Goal;
  /** Every trial so far in id order, including queued and running ones (their params are "pending"). */
  history: readonly TrialView[];
  incumbent: TrialView | null;
  /** Campaign seed; proposers derive all randomness from it and the history, so resume is reproducible. */
  seed: number;
  /**
   * Proposals the campaign has made so far, dropped ones included: a key for randomness that moves
   * on when the operator drops a proposal (the history, which leaves dropped trials out, shrinks).
   */
  proposed?: number;
  signal: AbortSignal;
}

export interface Proposer {
  readonly name: string;
  /** Returns up to k proposals (k distinct points for numeric proposers). [] means "nothing left to try". */
  propose(ctx: ProposerContext, k: number): Promise<Proposal[]>;
}
