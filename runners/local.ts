// The local runner: each trial is a detached process group on this machine.
//
// The trial's stdout and stderr go straight to trials/<id>/output.log (not through a pipe), and a
// small sh wrapper writes the exit status to trials/<id>/exit_code. So a trial survives a killed
// supervisor, and `resume` can re-attach: re-read the log and wait for the exit status file.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../src/paths.js';
import { LogTail } from './logtail.js';
import type { CancelMode, ExitInfo, HostInfo, ReattachInfo, Runner, RunningTrial, TrialLaunch } from './types.js';

/** How often a trial's log is read for new lines and a re-attached trial is checked for exit. */
const POLL_MS = 100;

// Runs the command in a background subshell and leaves its exit status behind atomically. Both
// shells trap TERM with a no-op handler, so the group-wide SIGTERM of a cooperative stop reaches
// the user's program (a handled trap is reset to the default on exec, unlike an ignored signal)
// while the shells wait for it to finish cleaning up instead of dying first. The status is written
// with one redirection and no `mv` (a process per trial); a reader accepts it only once its newline
// is there (readExitFile), which a single small write() delivers together with the digits.
const WRAPPER = `trap ':' TERM INT HUP
(trap ':' TERM INT HUP; eval "$1") &
c=$!
while :; do
  wait "$c"; s=$?
  kill -0 "$c" 2>/dev/null || break
done
printf '%s\\n' "$s" > "$NIGHTSHIFT_TRIAL_DIR/exit_code"
exit "$s"`;

export const HELPER_PYTHONPATH = path.join(packageRoot(), 'python');

/** Process start time from /proc (Linux), to tell our process from a recycled pid. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number, start?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = processState(pid);
  if (state === 'Z' || state === 'X') return false;
  if (start !== undefined) {
    const now = processStartTime(pid);
    if (now !== undefined && now !== start) return false;
  }
  return true;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

/** GPU index and UUID → model name, from nvidia-smi when it is there (empty otherwise). */
export function gpuModels(): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const text = execFileSync('nvidia-smi', ['--query-gpu=index,uuid,name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of text.trim().split('\n')) {
      const [index, uuid, name] = line.split(',').map((x) => x.trim());
      if (name) {
        out.set(index, name);
        out.set(uuid, name);
      }
    }
  } catch {
    // No NVIDIA driver here: slots still get CUDA_VISIBLE_DEVICES, the fingerprint says "GPU".
  }
  return out;
}

export function readExitFile(dir: string): ExitInfo | null {
  try {
    const raw = fs.readFileSync(path.join(dir, 'exit_code'), 'utf8');
    // Created by the redirection but not written yet (or cut short): not an exit status.
    if (!raw.endsWith('\n')) return null;
    const text = raw.trim();
    if (!/^\d+$/.test(text)) return null;
    const code = Number(text);
    if (!Number.isInteger(code)) return null;
    return { code, signal: null };
  } catch {
    return null;
  }
}

class LocalTrial implements RunningTrial {
  readonly done: Promise<ExitInfo>;
  private resolveDone!: (e: ExitInfo) => void;
  private timer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private exited: ExitInfo | null = null;
  private detached = false;

  constructor(
    readonly id: number,
    readonly pid: number,
    readonly pidStart: string | undefined,
    readonly host: string,
    private readonly dir: string,
    /** Dropped once the trial has exited: its 256 KB read buffer and the line callback go with it. */
    private tail: LogTail | null,
    /** For a re-attached trial we are not the parent: poll for the exit file instead of 'exit'. */
    private readonly adopted: boolean,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  private tick(): void {
    this.tail?.poll();
    if (this.adopted && !this.exited) {
      const file = readExitFile(this.dir);
      if (file) this.onExit(file);
      else if (!isAlive(this.pid, this.pidStart)) {
        // It may have written the file between the two checks.
        this.onExit(readExitFile(this.dir) ?? { code: null, signal: null, vanished: true });
      }
    }
  }

  onExit(info: ExitInfo): void {
    if (this.exited) return;
    this.exited = info;
    if (this.timer) clearInterval(this.timer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.timer = null;
    // Anything still in the group (a trial's own background children) goes with it.
    signalGroup(this.pid, 'SIGKILL');
    if (this.detached) return;
    this.tail?.finish();
    this.tail = null;
    this.resolveDone(info);
  }

  cancel(mode: CancelMode, graceMs: number): void {
    if (this.exited) return;
    if (mode === 'kill') {
      signalGroup(this.pid, 'SIGKILL');
      return;
    }
    try {
      fs.writeFileSync(path.join(this.dir, 'control'), mode + '\n');
    } catch {
      // The trial directory is ours; if it is gone the SIGTERM still applies.
    }
    signalGroup(this.pid, 'SIGTERM');
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
      this.killTimer.unref();
    }
  }

  ended(): boolean {
    // The wrapper writes exit_code as soon as the command ends; a dead or zombie process has ended too.
    return this.exited !== null || this.pid <= 0 || readExitFile(this.dir) !== null || !isAlive(this.pid, this.pidStart);
  }

  detach(): void {
    this.detached = true;
    if (this.timer) clearInterval(this.timer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.timer = null;
    this.tail?.close();
    this.tail = null;
  }
}

export class LocalRunner implements Runner {
  private readonly hostInfo: HostInfo;

  private readonly gpuModels: Map<string, string>;

  constructor(readonly slots: number, private readonly gpus: string[] = []) {
    const cpus = os.cpus();
    this.hostInfo = { host: os.hostname(), hardware: `${cpus.length}x ${cpus[0]?.model?.trim() ?? 'cpu'}` };
    this.gpuModels = gpus.length ? gpuModels() : new Map();
  }

  host(slot: number): HostInfo {
    if (!this.gpus.length) return this.hostInfo;
    // The GPU's model, not its index, goes into the fingerprint: two identical cards rank together.
    const id = this.gpus[slot % this.gpus.length];
    return { host: this.hostInfo.host, hardware: `${this.hostInfo.hardware} + ${this.gpuModels.get(id) ?? 'GPU'}` };
  }

  start(launch: TrialLaunch, slot: number, onLine: (line: string) => void): RunningTrial {
    fs.mkdirSync(launch.dir, { recursive: true });
    const logFile = path.join(launch.dir, 'output.log');
    for (const stale of ['exit_code', 'control']) fs.rmSync(path.join(launch.dir, stale), { force: true });
    const out = fs.openSync(logFile, 'a');
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: [HELPER_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      ...launch.env,
    };
    if (this.gpus.length) env.CUDA_VISIBLE_DEVICES = this.gpus[slot % this.gpus.length];
    const child = spawn('/bin/sh', ['-c', WRAPPER, 'nightshift-trial', launch.command], {
      cwd: launch.cwd,
      env,
      stdio: ['ignore', out, out],
      detached: true, // its own session and process group: signals reach the whole trial
    });
    fs.closeSync(out);
    const pid = child.pid;
    if (pid === undefined) {
      // spawn failed synchronously (e.g. cwd missing): report it as an exit.
      const tail = new LogTail(logFile, onLine, { maxLog: launch.maxLogBytes });
      const trial = new LocalTrial(launch.id, -1, undefined, this.hostInfo.host, launch.dir, tail, false);
      child.once('error', (err) => {
        fs.appendFileSync(logFile, `nightshift: could not start the trial: ${err.message}\n`);
        trial.onExit({ code: 127, signal: null });
      });
      return trial;
    }
    const tail = new LogTail(logFile, onLine, { maxLog: launch.maxLogBytes });
    const trial = new LocalTrial(launch.id, pid, processStartTime(pid), this.hostInfo.host, launch.dir, tail, false);
    child.once('exit', (code, signal) => trial.onExit({ code, signal }));
    child.once('error', () => trial.onExit({ code: 127, signal: null }));
    return trial;
  }

  reattach(info: ReattachInfo, onLine: (line: string) => void): { trial: RunningTrial } | { exited: ExitInfo } | null {
    const logFile = path.join(info.dir, 'output.log');
    if (isAlive(info.pid, info.pidStart)) {
      const tail = new LogTail(logFile, onLine, { maxLog: info.maxLogBytes });
      return { trial: new LocalTrial(info.id, info.pid, info.pidStart, this.hostInfo.host, info.dir, tail, true) };
    }
    const exit = readExitFile(info.dir);
    if (exit) {
      // It finished while nobody watched: deliver its whole output, then its exit.
      const tail = new LogTail(logFile, onLine, { maxLog: info.maxLogBytes });
      tail.finish();
      return { exited: exit };
    }
    return null;
  }
}
