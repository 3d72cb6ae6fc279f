// The resolved campaign: what src/config/load.ts returns after parsing and validating the YAML file.
import type { Goal, Space } from '../types.js';
import type { LlmConfig } from '../llm/types.js';

export interface ProposerSpec {
  /** grid | random | tpe | cmaes | ... (see proposers/index.ts) */
  type: string;
  /** Everything written beside `type:`, already validated by that proposer's options schema. */
  options: Record<string, unknown>;
}

export type DecideConfig =
  /** Keep when the primary metric improves on the incumbent. */
  | { mode: 'single' }
  /** As single, but a trial whose `metric` is outside [min, max] is discarded whatever its score. */
  | { mode: 'constraint'; metric: string; min?: number; max?: number }
  /** Keep every trial not dominated by an earlier kept trial on all objectives. */
  | { mode: 'pareto'; objectives: Array<{ name: string; goal: Goal }> }
  /** Score = sum of weight * metric; the goal of `metric:` applies to that sum. */
  | { mode: 'weighted'; weights: Record<string, number> };

export type PrunerConfig =
  | { type: 'none' }
  | { type: 'median'; warmup_steps: number; min_trials: number; interval_steps: number };

export interface CampaignConfig {
  /** Absolute path of the campaign file and its directory. */
  file: string;
  dir: string;
  name: string;
  /** Absolute; where `command` (and `evaluate`) run. */
  workdir: string;
  command: string;
  metric: { name: string; goal: Goal; pattern?: string };
  space: Space;
  /** The first is active at start; all of them are offered when the operator switches proposer. */
  proposers: ProposerSpec[];
  parallel: number;
  seed: number;
  budget: {
    trials?: number;
    wall_ms?: number;
    trial_timeout_ms?: number;
    patience?: number;
    target?: number;
    /** Stop (exit 1) when this many first trials all crash the same way and none scored; 0: never. Default 3. */
    first_crashes?: number;
    /** Stop when LLM spend (plus GPU time × gpu_hour_usd) reaches this many dollars. */
    usd?: number;
    gpu_hour_usd?: number;
  };
  /** The `llm:` section: the one model every LLM proposer uses. */
  llm?: LlmConfig;
  /** Globs relative to workdir: what code proposers may change. Empty: no code trials. */
  mutable: string[];
  /** Whether code proposals wait for the operator's approval (default auto). */
  review: 'auto' | 'manual';
  /** Run in a code trial's worktree before it takes a slot (e.g. one training step on CPU). */
  preflight?: { command: string; timeout_ms: number };
  /** `proposer: { type: hybrid, ... }`: the names of the two configured proposers and the switch's rules. */
  hybrid?: { params: string; code: string; stall: number; fallback_after: number; ask_after: number };
  /** Time between the cooperative stop (control file + SIGTERM) and SIGKILL. */
  kill_grace_ms: number;
  pruner: PrunerConfig;
  evaluate?: { command: string; timeout_ms: number };
  /** Globs relative to workdir. */
  frozen: string[];
  decide: DecideConfig;
  /** Extra environment for every trial. */
  env: Record<string, string>;
  /** Proposals kept ready beyond the free slots, so a slot never waits on the proposer. */
  queue_ahead: number;
  /** GPU device ids; slot i gets CUDA_VISIBLE_DEVICES = gpus[i mod n]. Empty: not set. */
  gpus: string[];
  /** Secondary metrics results.tsv shows after the primary (autoresearch's memory_gb column). */
  results: { columns: string[] };
  /** Cap on each trial's output.log (`max_log`); past it the middle is dropped, start and end kept. */
  max_log_bytes: number;
  /** Remote machines trials run on over SSH (`hosts:`); empty: none. */
  hosts?: HostEntry[];
  /** Whether this machine's slots (parallel) run trials too; default true without hosts, false with. */
  local?: boolean;
  /** How long a host may stay unreachable before its running trials are lost and re-queued. */
  host_grace_ms?: number;
  /** Trust a host key the first time it is seen (else an unknown key refuses the host). */
  accept_new_host_keys?: boolean;
  /** The `sandbox:` section, always resolved (issue 11): how trials are isolated. */
  sandbox: SandboxConfig;
}

/**
 * How trials are isolated. Absent from the file: code trials (model-written code) run under bwrap
 * with the defaults below, param trials do not. Written as a mapping: every trial is sandboxed
 * unless `trials: code`. `sandbox: none`: nothing is (an explicit, journaled opt-out).
 */
export interface SandboxConfig {
  mode: 'bwrap' | 'none';
  /** Which trials run sandboxed. */
  trials: 'code' | 'all';
  /** Network inside the trial (default false: loopback only, in its own namespace). */
  network: boolean;
  /** Globs relative to workdir: absent inside the sandbox (only the evaluator sees them). */
  hide: string[];
  /** Globs relative to workdir: visible inside the sandbox, not writable. */
  read_only: string[];
  /** Past this the trial is killed: status crash, reason "out of memory limit (…)". */
  memory_bytes?: number;
  /** Cap on the trial's processes and threads. */
  processes?: number;
}

/** One `hosts:` entry. */
export interface HostEntry {
  /** The campaign's name for it; also looked up as an alias in ~/.ssh/config. */
  name: string;
  host?: string;
  user?: string;
  port?: number;
  identity_file?: string;
  /** GPU indices, one slot each; empty for a CPU host. */
  gpus: string[];
  /** Slot count: gpus.length, or `slots:` (default 1). */
  slots: number;
  /** On the host; relative paths are under the login home. */
  workdir: string;
  setup?: string;
  data_dir?: string;
  /** `sandbox: none` on a host without bwrap: run its trials unsandboxed, explicitly. */
  sandbox?: 'none';
}
