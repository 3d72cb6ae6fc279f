// The sandbox wrapper (issue 11): turns a trial's shell command into one that runs it under
// bubblewrap. Pure string building, so the same text runs on this machine and on an SSH host.
//
// What the trial sees: the whole system read-only, its cwd tree and its trial directory writable,
// a private /tmp, an empty /run (no host Unix sockets), a minimal /dev plus the GPUs, no network
// (its own empty namespace) unless asked, its own pid namespace (anything it forks dies with it),
// no capabilities (root inside cannot unmount or remount what we bound), the campaign's state
// directory gone except its own trial directory, `hide` paths absent and `readOnly` paths
// read-only.
//
// The files the supervisor reads or writes after the trial (exit_code, control, output.log, the
// sandbox status) are created before bwrap starts and bound read-only over themselves: a mount
// point cannot be unlinked, renamed or swapped for a symlink from inside, so what the wrapper
// writes outside lands in our file, not somewhere the trial chose.
import type { SandboxSpec } from '../../src/runner.js';
import { LIMIT_FILE, limitsName, limitsWrap } from './limits.js';
import { sh } from '../shell.js';

/** Where the trial runs and the spec's globs already expanded to absolute paths on that machine. */
export interface SandboxAt {
  cwd: string;
  trialDir: string;
  /** Absolute paths; one ending in `/` is a directory (an empty one is shown), else a file (shown empty). */
  hide: string[];
  /** Absolute paths (files or directories), bound read-only. */
  readOnly: string[];
  /** More trial-directory files the supervisor writes (the SSH wrapper's `pid`), protected like exit_code. */
  supervised?: string[];
}

/**
 * bwrap's --json-status-fd output, in the trial directory: `"exit-code"` appears in it only once
 * the command inside the sandbox ran, so its absence after an exit means the sandbox never started.
 */
export const SANDBOX_STATUS = 'sandbox_status';

/** The trial-directory files only the supervisor may write (pre-created, read-only inside). */
// The limits wrapper's files too: without them, a trial could name its own crash ("out of memory
// limit") or claim its sandbox never started. An empty limit_reason says nothing (limitExit).
export const SUPERVISOR_FILES = ['output.log', 'exit_code', 'control', SANDBOX_STATUS, LIMIT_FILE, `${LIMIT_FILE}.pending`];

/** The line a machine without bwrap leaves in output.log (the runner quotes it as the reason). */
export const NO_BWRAP = 'nightshift: sandbox: bwrap (bubblewrap) is not installed on this machine: install it (apt-get install bubblewrap), or set sandbox: none';

function supervisorFiles(at: SandboxAt): string[] {
  return [...SUPERVISOR_FILES, ...(at.supervised ?? [])];
}

export { sh };

/** True when p is dir or inside it (plain path strings, no fs). */
function within(p: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, '');
  return p === d || p.startsWith(d + '/');
}

/** The bwrap arguments, in mount order (later mounts go over earlier ones). */
function bwrapArgs(spec: SandboxSpec, at: SandboxAt): string[][] {
  const a: string[][] = [];
  a.push(['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--cap-drop', 'ALL']);
  if (!spec.network) a.push(['--unshare-net']);
  a.push(['--ro-bind', '/', '/'], ['--dev', '/dev']);
  a.push(['GPUS']); // placeholder: the GPU device nodes present at run time (see below)
  // A fresh /proc for the new pid namespace; its knobs stay read-only (bwrap leaves /proc/sys
  // writable for a caller that is root without a user namespace).
  a.push(['--proc', '/proc', '--ro-bind', '/proc/sys', '/proc/sys']);
  for (const p of ['/proc/sysrq-trigger', '/proc/irq', '/proc/bus']) a.push(['--ro-bind-try', p, p]);
  a.push(['--tmpfs', '/tmp', '--tmpfs', '/run']);
  a.push(['--bind', at.cwd, at.cwd]);
  // No --remount-ro here: the trial directory is bound back below, its mount point made in this tmpfs.
  for (const p of spec.hidePaths) a.push(['--tmpfs', p]);
  // The cwd (a code trial's worktree) or the trial directory may live under a hidden path: bound back.
  if (spec.hidePaths.some((p) => within(at.cwd, p) && at.cwd !== p)) a.push(['--bind', at.cwd, at.cwd]);
  a.push(['--bind', at.trialDir, at.trialDir]);
  for (const p of at.readOnly) a.push(['--ro-bind', p, p]);
  for (const p of at.hide) {
    if (p.endsWith('/')) a.push(['--tmpfs', p.slice(0, -1), '--remount-ro', p.slice(0, -1)]);
    else a.push(['--ro-bind', '/dev/null', p]);
  }
  for (const f of supervisorFiles(at)) a.push(['--ro-bind', `${at.trialDir}/${f}`, `${at.trialDir}/${f}`]);
  a.push(['--json-status-fd', '3', '--chdir', at.cwd]);
  return a;
}

/**
 * The shell command that runs `command` inside the sandbox (and under the limits, through
 * limitsWrap in ./limits.ts). Plain sh text with every path quoted; it touches nothing on the
 * machine that builds it.
 */
export function sandboxCommand(command: string, spec: SandboxSpec, at: SandboxAt): string {
  const d = sh(at.trialDir);
  const args = bwrapArgs(spec, at)
    .map((words) => (words[0] === 'GPUS' ? '"$@"' : words.map(sh).join(' ')))
    .join(' \\\n  ');
  const lines = [
    // Runner-owned files exist as plain files before the trial starts (a stale symlink is replaced).
    `for f in ${supervisorFiles(at).map(sh).join(' ')}; do`,
    `  if [ ! -f ${d}/"$f" ] || [ -h ${d}/"$f" ]; then rm -rf ${d}/"$f" && : > ${d}/"$f" || exit 125; fi`,
    `done`,
    `: > ${d}/${SANDBOX_STATUS}`,
    `command -v bwrap >/dev/null 2>&1 || { echo ${sh(NO_BWRAP)} >&2; exit 127; }`,
    // GPUs: --dev gives a minimal /dev; the accelerators present here are passed through.
    `set --`,
    `for g in /dev/nvidia* /dev/nvidia-caps /dev/dri /dev/kfd; do [ -e "$g" ] && set -- "$@" --dev-bind "$g" "$g"; done`,
    // bwrap itself ignores SIGTERM: a cooperative stop's group-wide TERM must reach the trial and
    // let it finish, not kill bwrap (whose --die-with-parent would SIGKILL the trial mid-cleanup).
    // The trial gets the default TERM back through env (sh cannot reset a signal ignored on entry).
    // Inside, the shell waits out a TERM like the runner's WRAPPER does: pid 1 of the sandbox kills
    // everything left once the command's shell exits, so that shell must outlive the trial's cleanup.
    `(trap '' TERM; exec bwrap \\\n  ${args} \\\n  -- env --default-signal=TERM /bin/sh -c 'trap : TERM INT HUP; eval "$1"' nightshift-trial ${sh(command)}) 3>${d}/${SANDBOX_STATUS}`,
  ];
  // The same name the runner's clean-up after a hard kill looks for (limitsName).
  return limitsWrap(lines.join('\n'), { memoryBytes: spec.memoryBytes, processes: spec.processes }, limitsName(at.trialDir));
}

/**
 * The exit codes a sandbox that never started leaves: its set-up failing (1), the supervisor files
 * not creatable (125), bwrap missing (127). Any other code is the trial's own; only these are worth
 * reading the status file for (locally and on a host alike).
 */
export function mayBeSandboxFailure(code: number | null): boolean {
  return code === 1 || code === 125 || code === 127;
}

/**
 * Why the sandbox did not start, from its status file and the trial's last output lines; undefined
 * when the command inside ran (or the status says nothing: not a sandboxed trial).
 */
export function sandboxFailure(status: string | null, lastLines: string[]): string | undefined {
  if (status === null || status.includes('"exit-code"')) return undefined;
  const line = [...lastLines].reverse().find((l) => /^bwrap: |^nightshift: sandbox: |bwrap: not found/.test(l));
  if (!line) return 'bwrap exited before the trial started';
  return line.replace(/^nightshift: sandbox: /, '');
}
