// Does the sandbox work on a machine? Answered by running it for real: the same wrapper a trial
// gets (hidden state directory, trial directory bound back, supervisor files, no network) around
// `echo`, in a scratch directory. Shell text, so `doctor` runs it over SSH the same way.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SANDBOX_STATUS, sandboxCommand, sandboxFailure, sh } from './wrap.js';

const OK = 'nightshift-sandbox-ok';

export interface SandboxProbe {
  ok: boolean;
  /** Why not, in the words bwrap (or the wrapper) used. */
  reason?: string;
}

/** The probe, run in `dir` (an existing, empty scratch directory it removes when done). */
export function sandboxProbeScript(dir: string): string {
  const state = path.posix.join(dir, 'state');
  const trial = path.posix.join(state, 'trial');
  const inner = sandboxCommand(`echo ${OK}`, { network: false, hide: [], readOnly: [], hidePaths: [state] }, { cwd: dir, trialDir: trial, hide: [], readOnly: [] });
  const log = sh(path.posix.join(trial, 'output.log'));
  return [
    `mkdir -p ${sh(trial)} && cd ${sh(dir)} || exit 1`,
    `( ${inner}\n) > ${log} 2>&1`,
    `s=$?`,
    `echo "status=$(tr -d '\\n' < ${sh(path.posix.join(trial, SANDBOX_STATUS))} 2>/dev/null)"`,
    `cat ${log}`,
    `rm -rf ${sh(dir)}`,
    `exit $s`,
  ].join('\n');
}

export function parseSandboxProbe(stdout: string): SandboxProbe {
  const lines = stdout.split('\n').filter(Boolean);
  if (lines.includes(OK)) return { ok: true };
  const status = (lines.find((l) => l.startsWith('status=')) ?? 'status=').slice('status='.length);
  const rest = lines.filter((l) => !l.startsWith('status='));
  return { ok: false, reason: sandboxFailure(status, rest) ?? rest.at(-1) ?? 'the sandbox printed nothing' };
}

/** The probe on this machine (about 10 ms when bwrap works). */
export function probeLocalSandbox(): Promise<SandboxProbe> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-sandbox-probe-'));
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', sandboxProbeScript(dir)], { timeout: 20_000 }, (err, stdout) => {
      fs.rmSync(dir, { recursive: true, force: true });
      const r = parseSandboxProbe(stdout ?? '');
      if (!r.ok && err && (err as { killed?: boolean }).killed) r.reason = 'the sandbox did not answer within 20 s';
      resolve(r);
    });
  });
}
