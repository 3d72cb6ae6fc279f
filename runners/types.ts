// The runner contract: start a trial on a slot, stream its output lines, report its exit, cancel it,
// and re-attach to one that outlived a previous supervisor. A runner never decides keep/discard.
import type { Params } from '../src/types.js';

export interface TrialLaunch {
  id: number;
  /** The command with {param} placeholders already filled in. */
  command: string;
  cwd: string;
  /** The trial directory (absolute): output.log, params.json, control, exit_code live here. */
  dir: string;
  /** Extra environment (NIGHTSHIFT_* and the campaign's env). */
  env: Record<string, string>;
  params: Params;
  /** Cap on output.log in bytes (the campaign's max_log); past it the middle is dropped. */
  maxLogBytes?: number;
}

export interface ExitInfo {
  /** Exit code; for a death by signal, null and `signal` set (or 128+n when a wrapper reported it). */
  code: number | null;
  signal: string | null;
  /** Set when the process vanished without leaving an exit status (e.g. killed while unsupervised). */
  vanished?: boolean;
}

export type CancelMode = 'prune' | 'stop' | 'kill';

export interface RunningTrial {
  readonly id: number;
  readonly pid: number;
  readonly pidStart?: string;
  readonly host: string;
  /** Resolves once the process has exited and every output line has been delivered. */
  readonly done: Promise<ExitInfo>;
  /**
   * prune / stop: write the word to the control file and SIGTERM the process group, then SIGKILL
   * after graceMs if it is still alive. kill: SIGKILL the process group now.
   */
  cancel(mode: CancelMode, graceMs: number): void;
  /**
   * True once the trial's command has ended, even before its exit is delivered: a stop asked for
   * now would reach nothing, so the trial is judged by its exit.
   */
  ended(): boolean;
  /** Stops watching without touching the process (supervisor leaving trials running). */
  detach(): void;
}

export interface ReattachInfo {
  id: number;
  pid: number;
  pidStart?: string;
  dir: string;
  maxLogBytes?: number;
}

export interface HostInfo {
  host: string;
  hardware: string;
}

export interface Runner {
  readonly slots: number;
  host(slot: number): HostInfo;
  start(launch: TrialLaunch, slot: number, onLine: (line: string) => void): RunningTrial;
  /**
   * For a trial recorded as running by a previous supervisor: a RunningTrial when its process is
   * still alive (output is re-read from the start of output.log), or the exit it left behind, or
   * null when it is gone without a trace.
   */
  reattach(info: ReattachInfo, onLine: (line: string) => void): { trial: RunningTrial } | { exited: ExitInfo } | null;
}
