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
  | {
      kind: 'code';
      /** One sentence: what the edit should change and why. */
      hypothesis: string;
      /**
       * A unified diff (`git diff` format, a/ b/ prefixes) with paths relative to the campaign's
       * workdir, that applies exactly to `base`. What runs; the operator may replace it (operator.edit).
       */
      diff: string;
      /** The commit the diff applies to (the campaign branch's tip when it was proposed). */
      base?: string;
      params?: Params;
      /**
       * Set when the proposer could not get a usable edit (no edit in the reply, an edit that still
       * did not apply after the revisions, a path outside `mutable`): journaled, decided `invalid`
       * with this reason at once, never run, and shown to the model next time.
       */
      invalid?: string;
    };

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
  /**
   * What the trial's output came to, in a few sanitised lines at most: a failure label or a
   * de-duplicated tail. Empty while nothing is known (a queued trial). What an LLM proposer reads.
   */
  summary: string;
  /** The trial's commit (code trials, once they exist). */
  commit?: string;
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
  /** The operator's notes (and reject notes), oldest first: LLM proposers put them in every prompt. */
  notes?: readonly string[];
  /** Set when the hybrid switch handed over to this proposer: why (for the prompt). */
  escalation?: { from: string; reason: string };
  /**
   * Proposals the campaign has made so far, dropped ones included: a key for randomness that moves
   * on when the operator drops a proposal (the history, which leaves dropped trials out, shrinks).
   */
  proposed?: number;
  signal: AbortSignal;
}

/** Which kind of proposal a proposer writes: points of the space, or code edits. */
export type ProposerSide = 'params' | 'code';

/** What one propose() call cost, when it called a paid model. */
export interface ProposerUsage {
  model: string;
  tokens_in: number;
  tokens_out: number;
  usd: number;
}

export interface ProposeResult {
  /** Up to k proposals (k distinct points for numeric proposers). [] means "nothing left to try". */
  proposals: Proposal[];
  /** Journaled as proposer.usage, so the budget can count it. */
  usage?: ProposerUsage;
  /**
   * Asks the engine to hand over to a proposer of the other side (params ⇄ code), e.g. when tuning
   * has plateaued. Journaled as proposer.escalated; acted on when such a proposer is configured.
   */
  switchTo?: { side: ProposerSide; reason: string };
}

export interface Proposer {
  readonly name: string;
  /** Defaults to 'params'. */
  readonly side?: ProposerSide;
  propose(ctx: ProposerContext, k: number): Promise<ProposeResult>;
}

/** One edit as a model wrote it (src/workspace/reply.ts parses replies into these). */
export type CodeEdit =
  | { kind: 'diff'; text: string }
  | { kind: 'search_replace'; path: string; search: string; replace: string }
  | { kind: 'rewrite'; path: string; content: string };

/** Applying a model's edits to a scratch checkout: the resulting diff, or why not (said back to the model). */
export type TryEditsResult =
  | { ok: true; diff: string; files: string[] }
  | { ok: false; reason: string; feedback: string };

/**
 * The campaign's code as a code proposer may see and try it: the mutable files at a commit (the
 * campaign branch's tip unless told), read-only; never the evaluator or frozen files. Backed by the
 * git workspace (src/workspace), built by the composition root.
 */
export interface CodeView {
  /** The campaign branch's tip: what a new code proposal is based on. */
  base(): Promise<string>;
  /** Mutable file paths relative to the campaign's workdir, at `commit` (default: base()). */
  list(commit?: string): Promise<string[]>;
  read(path: string, commit?: string): Promise<string>;
  /** Applies edits (all or nothing) in a scratch checkout of `base`, under the mutable/frozen/escape rules. */
  tryEdits(base: string, edits: readonly CodeEdit[]): Promise<TryEditsResult>;
}

/** What a proposer factory is given to build a proposer. */
export interface ProposerDeps {
  space: Space;
  /** The one model client (src/llm), present when the campaign file has `llm:`. */
  llm?: import('./llm/types.js').Llm;
  /** Present when the campaign file has `mutable:`. */
  code?: CodeView;
  /** Everything the proposer's prompts may need about the campaign. */
  campaign?: { name: string; metric: string; goal: Goal; command: string; mutable: string[] };
}
