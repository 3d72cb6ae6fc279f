// The runner contract, owned by the core: the engine says what to run and where; a runner (runners/)
// puts the trial there, streams its output, reports its exit and stops it. It is shaped for trials
// that do not run in this process's machine (an SSH host, a Slurm job): capacity and host health
// live in the runner (free), a start is asynchronous and names where the trial runs (a journaled
// locator), the hardware is known only once it started, and everything that touches the trial's
// files (writing params.json, tailing its output, running the evaluator) goes through the runner.
// A runner never decides keep/discard.
import type { Params } from './types.js';
import type { HostFacts } from './events.js';

/** Where a trial can run now: a host, a slot on it, and the GPUs that slot owns. */
export interface Placement {
  host: string;
  /** The engine's key for the slot, unique across hosts. */
  slot: number;
  gpus: string[];
  /** The slot's index on its own host, when a runner numbers slots across hosts (shown host:index). */
  hostSlot?: number;
}

/**
 * Where a started trial runs, as the journal records it (trial.started), so a later supervisor can
 * find it again. Owned by the runner that wrote it: a local process, or a process group on an SSH
 * host with its remote directory (a Slurm job id later).
 */
export type Locator = LocalLocator | SshLocator;

interface LocatorFields {
  /** The process (group leader) id, on the machine it runs on. */
  pid: number;
  /** Process start time (clock ticks since boot, Linux) to tell our process from a recycled pid. */
  pid_start?: string;
  /** The trial directory on that machine: output.log, params.json, control, exit_code live here. */
  dir: string;
}
/** A process on this machine. */
export interface LocalLocator extends LocatorFields {
  runner: 'local';
  host: string;
}
/** A detached process group on one of the campaign's `hosts:` (host is the entry's name). */
export interface SshLocator extends LocatorFields {
  runner: 'ssh';
  host: string;
}

export interface TrialLaunch {
  id: number;
  /** The command with {param} placeholders already filled in. */
  command: string;
  cwd: string;
  /** The trial directory (absolute, on the machine it runs on). */
  dir: string;
  /** The trial's environment on top of the runner's (NIGHTSHIFT_* and the campaign's env). */
  env: Record<string, string>;
  params: Params;
  /** Files the runner writes into the trial directory before starting (params.json, change.diff). */
  files: Record<string, string>;
  /** Cap on output.log in bytes (the campaign's max_log); past it the middle is dropped. */
  maxLogBytes?: number;
  /** Set: the runner runs the command inside this sandbox, or refuses to start it (never runs it bare). */
  sandbox?: SandboxSpec;
}

/**
 * The isolation a trial gets, in terms of its own tree: globs are relative to the trial's cwd (the
 * runner expands them on the machine the trial runs on). Writable inside: the cwd tree and the trial
 * directory, minus `readOnly`; everything else read-only; `hide` absent; /tmp private; no host Unix
 * sockets; the campaign's state directory (journal, other trials) invisible.
 */
export interface SandboxSpec {
  network: boolean;
  hide: string[];
  readOnly: string[];
  /** Absolute paths on the trial's machine that must be invisible (the state directory). */
  hidePaths: string[];
  memoryBytes?: number;
  processes?: number;
}

export interface ExitInfo {
  /** Exit code; for a death by signal, null and `signal` set (or 128+n when a wrapper reported it). */
  code: number | null;
  signal: string | null;
  /** Set when the process vanished without leaving an exit status (e.g. killed while unsupervised). */
  vanished?: boolean;
  /** Set when the trial could not be followed to its end (its host stayed down past the grace): re-queue it. */
  lost?: string;
  /** Set when a sandbox limit ended it ("out of memory limit (16g)", "process limit (512) reached"): a crash with this reason. */
  limit?: string;
  /** Set when the sandbox could not be set up (bwrap missing or failing): a crash with this reason, the command never ran. */
  sandboxError?: string;
}

/** prune / stop: the word written to the control file before a SIGTERM; kill: SIGKILL now. */
export type CancelMode = 'prune' | 'stop' | 'kill';

export interface RunningTrial {
  readonly id: number;
  readonly locator: Locator;
  /** The hardware the trial got (the comparability fingerprint uses it). */
  readonly hardware: string;
  /** Resolves once the process has exited and every output line has been delivered. */
  readonly done: Promise<ExitInfo>;
  /**
   * prune / stop: cooperative (control file, SIGTERM to the process group), then SIGKILL after
   * graceMs. kill: SIGKILL the process group now. Resolves when the group is confirmed gone.
   */
  cancel(mode: CancelMode, graceMs: number): Promise<void>;
  /**
   * True once the trial's command has ended, even before its exit is delivered: a stop asked for
   * now would reach nothing, so the trial is judged by its exit.
   */
  ended(): boolean;
  /** The last n output lines (sanitised), from memory: safe to call during a render. */
  tail(n: number): string[];
  /** Gives the placement back; the engine calls it once the trial has been evaluated and decided. */
  release(): void;
  /** Stops watching without touching the process (supervisor leaving trials running). */
  detach(): void;
}

export interface ExecRequest {
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** Stdout and stderr are also written to this file in the trial directory. */
  logName: string;
  timeoutMs: number;
  killGraceMs: number;
}

export type ExecResult =
  /** ran: how it ended, its stdout, its last line of output when it failed, whether it was stopped for taking too long. */
  | { ok: true; code: number | null; signal: string | null; stdout: string; lastLine: string; timedOut: boolean }
  /** could not be started. */
  | { ok: false; error: string };

export interface HostEvent extends HostFacts {
  /** host.warning: something on the host needs a person (a GPU still held after a stop). */
  type: 'host.up' | 'host.down' | 'host.warning';
  host: string;
  reason: string;
}

export interface Runner {
  /** Called once when the engine starts supervising; host up/down reports go to `onHost` (journaled). */
  open(onHost: (e: HostEvent) => void): void;
  /** Placements free now; the engine starts at most this many trials. */
  free(): Placement[];
  start(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): Promise<RunningTrial>;
  /**
   * For a trial recorded as running by a previous supervisor: a RunningTrial when its process is
   * still alive (output is re-read from the start), or one that has already exited (`exited`), or
   * null when it is gone without a trace. The trial keeps its slot until released.
   */
  reattach(
    trial: { id: number; locator: Locator; slot: number; maxLogBytes?: number },
    onLine: (line: string) => void,
  ): Promise<{ trial: RunningTrial; exited?: ExitInfo } | null>;
  /** Runs a command where the trial's outputs are (the evaluator). */
  exec(locator: Locator, req: ExecRequest): Promise<ExecResult>;
  /** The last n output lines of a trial that is no longer watched (read asynchronously, sanitised). */
  tail(locator: Locator, n: number): Promise<string[]>;
  /** Lets go of connections and timers once supervision ends (running trials are left alone). */
  close?(): void;
  /**
   * Why no trial can run anywhere until a person fixes something (every host refused the login or
   * is unfit: no workdir, no GPU), or null. A host that is only unreachable may come back: not this.
   */
  unusable?(): string | null;
}
