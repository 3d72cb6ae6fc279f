// The sandbox on an SSH host (issue 11). The host's probe (once per connection) says whether bwrap
// works there; a trial that must run sandboxed is wrapped with the same sandboxCommand as locally,
// or, where bwrap does not work, refused with what to install, unless the host's `hosts:` entry
// says `sandbox: none` (then it runs bare, and a host warning puts that in the journal). Never bare
// without that word.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SandboxSpec } from '../../src/runner.js';
import { matchesAny } from '../../src/workspace/glob.js';
import { LIMIT_FILE, limitExit } from '../sandbox/limits.js';
import { mayBeSandboxFailure, SANDBOX_STATUS, sandboxCommand, sandboxFailure } from '../sandbox/wrap.js';

/** The probe's line: prints bwrap=ok, bwrap=missing or bwrap=fail:<its last line of error>. */
export const BWRAP_PROBE = `if command -v bwrap >/dev/null 2>&1; then if e=$(bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-pid --unshare-net --die-with-parent true 2>&1); then echo bwrap=ok; else echo "bwrap=fail:$(printf '%s' "$e" | tail -n 1)"; fi; else echo bwrap=missing; fi`;

export type SandboxPlan = { wrap: string } | { bare: string } | { refuse: string };

/** Why bwrap cannot be used on the host, in words ('' when it works). */
export function bwrapProblem(host: string, bwrap: string | undefined): string {
  if (bwrap === 'ok') return '';
  if (!bwrap || bwrap === 'missing') return `bwrap (bubblewrap) is not installed on ${host}`;
  return `bwrap fails on ${host} (${bwrap.replace(/^fail:/, '') || 'no message'}; unprivileged user namespaces off?)`;
}

/** Files under `cwd` (relative, /-separated) matching any glob: the tree on the host is this tree. */
function expand(cwd: string, globs: string[], remoteCwd: string): string[] {
  if (globs.length === 0) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(cwd, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.name === '.git' || d.name === '.nightshift') continue;
      if (matchesAny(r, globs)) out.push(`${remoteCwd}/${r}`);
      else if (d.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

export function planSandbox(
  o: { host: string; bwrap: string | undefined; hostSandbox?: 'none'; trialId: number },
  command: string,
  spec: SandboxSpec,
  at: { localCwd: string; cwd: string; trialDir: string },
): SandboxPlan {
  const problem = bwrapProblem(o.host, o.bwrap);
  if (problem && o.hostSandbox === 'none') return { bare: `trial ${o.trialId} runs without the sandbox on ${o.host} (no working bwrap there: ${problem.includes('not installed') ? 'not installed' : problem.replace(/^bwrap fails on \S+ /, 'fails ')}; its hosts: entry says sandbox: none)` };
  if (problem) {
    const fix = problem.includes('not installed') ? `install it there (apt-get install bubblewrap on ${o.host})` : `make it work there (as root: sysctl kernel.unprivileged_userns_clone=1, or check that bwrap runs for this user)`;
    return { refuse: `${problem}, and this trial must run sandboxed: ${fix}, or write sandbox: none in that host's hosts: entry to run its trials without the sandbox` };
  }
  try {
    // spec.hidePaths are this machine's paths (the state directory): on the host, the campaign's
    // directory of trial directories is what other trials must not see (the trial's own is bound back).
    const remoteSpec: SandboxSpec = { ...spec, hidePaths: [path.posix.dirname(at.trialDir)] };
    const wrap = sandboxCommand(command, remoteSpec, {
      cwd: at.cwd,
      trialDir: at.trialDir,
      hide: expand(at.localCwd, spec.hide, at.cwd),
      readOnly: expand(at.localCwd, spec.readOnly, at.cwd),
      // The remote wrapper's pid file (remote.ts), which a start sent again trusts.
      supervised: ['pid'],
    });
    return { wrap };
  } catch (err) {
    return { refuse: `the sandbox could not be set up for ${o.host}: ${(err as Error).message}` };
  }
}

/**
 * After a sandboxed trial's non-zero exit: the first line of its limit_reason and its bwrap status
 * (one line), read on the host in one exec, as the local runner reads them from its trial directory.
 */
export const EXIT_DETAILS_SCRIPT = `d=$1
if [ -s "$d/${LIMIT_FILE}" ]; then printf 'limit='; head -n 1 "$d/${LIMIT_FILE}"; echo; fi
if [ -f "$d/${SANDBOX_STATUS}" ]; then printf 'status='; tr '\\n' ' ' < "$d/${SANDBOX_STATUS}"; echo; fi`;

/**
 * ExitInfo's limit / sandboxError from EXIT_DETAILS_SCRIPT's answer, with the trial's last output
 * lines (the local mirror), by the same rules as runners/sandbox/local.ts withSandboxFailure.
 */
export function remoteExitDetails(out: string, code: number, lastLines: string[]): { limit?: string; sandboxError?: string } {
  let limit: string | null = null;
  let status: string | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('limit=')) limit = line.slice('limit='.length);
    else if (line.startsWith('status=')) status = line.slice('status='.length);
  }
  const fromLimit = limitExit(limit);
  if (fromLimit.sandboxError || !mayBeSandboxFailure(code)) return fromLimit;
  const why = sandboxFailure(status, lastLines);
  return why ? { ...fromLimit, sandboxError: why } : fromLimit;
}
