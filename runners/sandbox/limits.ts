// Memory and process limits for a sandboxed trial (issue 11): cgroup v2, cgroup v1, or prlimit,
// whichever the machine has. Pure shell text, so it runs the same on an SSH host.

export interface Limits {
  memoryBytes?: number;
  processes?: number;
}

/**
 * Written by the limits wrapper into the trial directory when a limit ended the trial, e.g.
 * "out of memory limit (16g)"; the runner reads it with exit_code and sets ExitInfo.limit.
 */
export const LIMIT_FILE = 'limit_reason';

/**
 * A shell command that runs `inner` under the limits (its own cgroup named after `name`), waits for
 * it, writes LIMIT_FILE into $NIGHTSHIFT_TRIAL_DIR when a limit ended it, removes the cgroup (killing
 * anything left in it) and exits with inner's status. CONTRACT STUB: helper S2 implements it.
 */
export function limitsWrap(inner: string, limits: Limits, name: string): string {
  void name;
  if (limits.memoryBytes === undefined && limits.processes === undefined) return inner;
  throw new Error('limitsWrap is not implemented yet');
}

/** A shell script that prints what this machine can enforce, for `nightshift doctor` / `hosts`. STUB: S2. */
export const LIMITS_PROBE = 'echo limits=none';

export interface LimitsReport {
  how: 'cgroup2' | 'cgroup1' | 'prlimit' | 'none';
  memory: boolean;
  processes: boolean;
  /** Why a limit cannot be enforced, in words a person can act on. */
  note?: string;
}

export function parseLimitsProbe(stdout: string): LimitsReport {
  void stdout;
  return { how: 'none', memory: false, processes: false, note: 'not implemented yet' };
}
