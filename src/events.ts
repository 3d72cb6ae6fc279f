// The journal's vocabulary. Every fact about a campaign is one of these, appended in order.
import type { Goal, Proposal, ProposerSide, Space, TrialStatus } from './types.js';
import type { Locator } from './runner.js';
import type { LlmCallRecord } from './llm/types.js';

/**
 * 2: trial.started carries the runner's locator instead of pid/dir; host.up/host.down.
 * 3: every line carries `prev` (the hash chain, src/chain.ts); fingerprints carry the frozen-set and
 * evaluator hashes. Version 1 and 2 journals still replay (`verify` calls them not chained).
 */
export const JOURNAL_VERSION = 3;

/** Hardware, host and budget knobs a score depends on; trials are ranked only within one cohort (key). */
export interface Fingerprint {
  key: string;
  host: string;
  hardware: string;
  budget: string;
  /** What the trial was scored under (version 3 on; not part of the key): src/integrity.ts. */
  frozen?: string;
  evaluator?: string;
}

/** Who asked a running trial to stop (how it is asked is a CancelMode: the pruner asks with mode `prune`). */
export type CancelBy = 'pruner' | 'timeout' | 'operator' | 'interrupt';
export type Budget = { trials?: number; wall_ms?: number; patience?: number; target?: number; usd?: number; gpu_hour_usd?: number };
export type Overrides = { trials?: number };

export type DecisionStatus = Exclude<TrialStatus, 'queued' | 'running' | 'dropped'>;

export type EventBody =
  | {
      type: 'campaign.started';
      name: string;
      goal: Goal;
      metric: string;
      seed: number;
      proposer: string;
      /** Every proposer the operator may switch to. */
      proposers: string[];
      config_file: string;
      config_hash: string;
      /** sha256 per frozen file, relative to workdir. */
      frozen: Record<string, string>;
      /** The evaluator's hash (src/integrity.ts; version 3 on): every fingerprint should carry it too. */
      evaluator?: string;
      budget: Budget;
      parallel: number;
      /** What defines the campaign; `resume` refuses a file that changes them (absent in older journals). */
      command?: string;
      space?: Space;
      /** Command-line overrides in force (`--max-trials`); `resume` keeps them unless given new ones. */
      overrides?: Overrides;
      /** Whether code proposals wait for the operator's approval (the file's `review:`). */
      review?: 'auto' | 'manual';
      /** The campaign's git branch, when it has `mutable:` files. */
      branch?: string;
    }
  | {
      type: 'campaign.resumed';
      pid: number;
      torn_line?: boolean;
      config_hash: string;
      /** The budget in force from this session on (file edits and overrides applied). */
      budget?: Budget;
      overrides?: Overrides;
    }
  | {
      type: 'trial.proposed';
      id: number;
      proposer: string;
      proposal: Proposal;
      /** Set when this re-runs a lost trial's params. */
      requeue_of?: number;
    }
  | {
      /**
       * A code trial (or any trial of a campaign with `mutable:`) has its commit and worktree: the
       * edit applied, pre-flight passed, not a duplicate. Only a prepared trial is dispatched. A
       * failed preparation is a trial.decided with status `invalid` instead.
       */
      type: 'trial.prepared';
      id: number;
      /** The trial's commit (for a param trial: the campaign branch's tip it runs on). */
      commit: string;
      base: string;
      /** Where it runs: the worktree's workdir (absolute). */
      workdir: string;
      /** sha256 of the mutable files with whitespace normalised (duplicate detection). */
      digest?: string;
    }
  | {
      type: 'trial.started';
      id: number;
      slot: number;
      /** Where it runs, as shown (host, or host:slot). */
      host: string;
      /** Where the runner can find it again (version 2 on). */
      locator?: Locator;
      /** Version 1: the local process and trial directory (now in the locator). */
      pid?: number;
      pid_start?: string;
      dir?: string;
      fingerprint: Fingerprint;
      /** Ran inside the sandbox (bwrap; issue 11). Absent: unsandboxed (or an older journal). */
      sandboxed?: boolean;
    }
  | {
      type: 'trial.metric';
      id: number;
      /** name -> [[step, value], ...] in report order. */
      points: Record<string, Array<[number, number]>>;
    }
  | {
      /**
       * Someone decided this running trial must stop: the pruner, its timeout, the operator (also
       * journaled as operator.kill) or an interrupt. Written before the stop is delivered, so a
       * supervisor that dies before the trial exits leaves the intent for `resume` to honour.
       */
      type: 'trial.cancel_requested';
      id: number;
      by: CancelBy;
      /** What the runner is asked to do: prune/stop cooperatively (then kill after the grace), or kill now. */
      mode: 'prune' | 'stop' | 'kill';
      reason: string;
    }
  | {
      type: 'trial.finished';
      id: number;
      exit_code: number | null;
      signal: string | null;
      duration_ms: number;
      /** Final metric values (primary from evaluate when configured). */
      metrics: Record<string, number>;
      score: number | null;
    }
  | {
      type: 'trial.decided';
      id: number;
      status: DecisionStatus;
      reason: string;
      score: number | null;
      /** True when this trial became the best of its cohort. */
      best: boolean;
    }
  | { type: 'operator.pause'; reason?: string }
  | { type: 'operator.resume'; reason?: string }
  | { type: 'operator.kill'; id: number; mode: 'kill' | 'prune'; reason?: string }
  | { type: 'operator.promote'; id: number; reason?: string }
  | { type: 'operator.reorder'; id: number; to: number; reason?: string }
  | { type: 'operator.drop'; id: number; reason?: string }
  /** drop_queued: queued proposals of the other side are dropped (default: kept). */
  | { type: 'operator.switch'; proposer: string; reason?: string; drop_queued?: boolean }
  /** A code proposal waiting for review (review: manual) may run. */
  | { type: 'operator.approve'; id: number; reason?: string }
  /** A code proposal waiting for review is dropped; `reason` is the operator's note, which goes into the next prompts. */
  | { type: 'operator.reject'; id: number; reason?: string }
  /** A person replaced a queued code proposal's diff (in $EDITOR); the new diff is what runs. */
  | { type: 'operator.edit'; id: number; diff: string; reason?: string }
  /** A note for every later prompt of the LLM proposers ("never touch the optimizer"). */
  | { type: 'operator.note'; text: string }
  /** Whether code proposals wait for the operator's approval. */
  | { type: 'operator.review'; mode: 'auto' | 'manual' }
  | { type: 'operator.quit'; leave_running: boolean; reason?: string }
  | {
      /**
       * The active proposer asked to hand over to the other side (params ⇄ code). `to` names the
       * configured proposer that takes over; absent when none of that side is configured, and the
       * active one stays (older journals carry `to` and no `side`).
       */
      type: 'proposer.escalated';
      from: string;
      to?: string;
      side?: ProposerSide;
      reason: string;
    }
  /** The hybrid switch went back from code to params (code edits kept failing). */
  | { type: 'proposer.fell_back'; from: string; to: string; reason: string }
  /**
   * The hybrid switch found both sides stalled: dispatch pauses until the operator says what to do
   * (the reason is shown on screen and in the headless log).
   */
  | { type: 'proposer.ask'; reason: string }
  /** What one propose() call cost (LLM proposers); the state sums it per proposer. */
  | { type: 'proposer.usage'; proposer: string; model: string; tokens_in: number; tokens_out: number; usd: number }
  | { type: 'proposer.failed'; proposer: string; error: string }
  /** One model call (src/llm): prompt by sha256 only, the text is in llm/<seq>.json; never the key. */
  | LlmCallRecord
  /** The active proposer returned nothing: it has nothing left to propose (until the operator switches). */
  | { type: 'proposer.exhausted'; proposer: string }
  | {
      type: 'budget.exhausted';
      /** `crashes`: the first trials all crashed the same way (budget.first_crashes); the campaign failed. `hosts`: no host could take trials. */
      which: 'trials' | 'wall' | 'patience' | 'target' | 'space' | 'proposer' | 'crashes' | 'usd' | 'hosts';
      reason: string;
    }
  | { type: 'campaign.finished'; reason: string }
  /** Git work of a code campaign failed (filing a commit, removing a worktree): said, never fatal. */
  | { type: 'workspace.warning'; message: string }
  /** A runner's host became usable or stopped being usable (only the local runner reports one, at start). */
  | ({ type: 'host.up'; host: string; reason: string } & HostFacts)
  | ({ type: 'host.down'; host: string; reason: string } & HostFacts)
  /** Something on a host needs a person, the host still usable (a GPU still held after a trial was stopped). */
  | { type: 'host.warning'; host: string; reason: string };

/** What the hosts line shows besides up/down (absent in journals written before it was recorded). */
export interface HostFacts {
  /** The host's slots. */
  slots?: number;
  /** An SSH host (a `hosts:` entry), not the local machine. */
  remote?: boolean;
  /** Down: the connection dropped and is being re-established (its trials still count as running). */
  reconnecting?: boolean;
}

export type EventType = EventBody['type'];
/** prev: the hash of the journal line before this one (version 3 on; src/chain.ts). */
export type NightshiftEvent = EventBody & { v: number; seq: number; t: number; prev?: string };
export type EventOf<T extends EventType> = Extract<NightshiftEvent, { type: T }>;

/** Events that are fsync'd as soon as they are written; metric batches may be lost in a crash's last moment. */
export function isDurable(e: EventBody): boolean {
  return e.type !== 'trial.metric';
}
