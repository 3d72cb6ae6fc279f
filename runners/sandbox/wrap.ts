// The sandbox wrapper (issue 11): turns a trial's shell command into one that runs it under
// bubblewrap. Pure string building, so the same text runs on this machine and on an SSH host.
import type { SandboxSpec } from '../../src/runner.js';

/** Where the trial runs and the spec's globs already expanded to absolute paths on that machine. */
export interface SandboxAt {
  cwd: string;
  trialDir: string;
  hide: string[];
  readOnly: string[];
}

/**
 * The shell command that runs `command` inside the sandbox (and under the limits, through
 * limitsWrap in ./limits.ts). CONTRACT STUB: helper S1 implements it.
 */
export function sandboxCommand(command: string, spec: SandboxSpec, at: SandboxAt): string {
  void spec;
  void at;
  throw new Error(`sandboxCommand is not implemented yet (${command.slice(0, 20)})`);
}
