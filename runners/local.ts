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
import { execLocal, readTail } from './local-exec.js';
import { ExitedTrial, LineRing } from './trial-parts.js';
import { localSandboxCommand, withSandboxFailure } from './sandbox/local.js';
import { LIMIT_FILE, limitsCleanup, limitsName, readLimitFile } from './sandbox/limits.js';
import type { CancelMode, ExecRequest, ExecResult, ExitInfo, HostEvent, Locator, Placement, Runner, RunningTrial, TrialLaunch } from '../src/runner.js';

/** How often a trial's log is read for new lines and a re-attached trial is checked for exit. */
const POLL_MS = 100;
/** A cancelled group still alive this long after the grace is reported gone anyway (never a hang). */
const CONFIRM_SLACK_MS = 10_000;

// Runs the command in a background subshell and leaves its exit status behind atomically. Both
// shells trap TERM with a no-op handler, so the group-wide SIGTERM of a cooperative stop reaches
// the user's program (a handled trap is reset to the default on exec, unlike an ignored signal)
// while the shells wait for it to finish cleaning up instead of dying first. The status is written
// with one redirection and no `mv` (a process per trial); a reader accepts it only once its newline
// is there (readExitFile), which a single small write() delivers together with the digits.
export const WRAPPER = `trap ':' TERM INT HUP
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

/** True while any process of the group led by pid exists (a zombie leader counts until reaped). */
function groupAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    return withSandboxFailure(dir, { code, signal: null, ...readLimitFile(dir) });
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
  private released = false;
  /** Set for a trial under sandbox limits: removes its cgroup when a kill took the limits wrapper too. */
  limitsLeftover: string | null = null;
  /** Dropped once the trial has exited: its 256 KB read buffer and the line callback go with it. */
  private logTail: LogTail | null;

  constructor(
    readonly id: number,
    readonly locator: Locator,
    readonly hardware: string,
    private readonly ring: LineRing,
    logTail: LogTail | null,
    /** For a re-attached trial we are not the parent: poll for the exit file instead of 'exit'. */
    private readonly adopted: boolean,
    private readonly onRelease: () => void,
  ) {
    this.logTail = logTail;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  private get pid(): number {
    return this.locator.pid;
  }

  private tick(): void {
    this.logTail?.poll();
    if (this.adopted && !this.exited) {
      const file = readExitFile(this.locator.dir);
      if (file) this.onExit(file);
      else if (!isAlive(this.pid, this.locator.pid_start)) {
        // It may have written the file between the two checks.
        this.onExit(readExitFile(this.locator.dir) ?? { code: null, signal: null, vanished: true });
      }
    }
  }

  onExit(exit: ExitInfo): void {
    if (this.exited) return;
    const info = { ...exit, ...readLimitFile(this.locator.dir) };
    this.exited = info;
    if (info.signal !== null && this.limitsLeftover) spawn('/bin/sh', ['-c', this.limitsLeftover], { stdio: 'ignore', detached: true }).unref();
    if (this.timer) clearInterval(this.timer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.timer = null;
    // Anything still in the group (a trial's own background children) goes with it.
    if (this.pid > 0) signalGroup(this.pid, 'SIGKILL');
    if (this.detached) return;
    this.logTail?.finish();
    this.logTail = null;
    this.resolveDone(info);
  }

  cancel(mode: CancelMode, graceMs: number): Promise<void> {
    if (this.exited) return this.gone(0);
    if (mode === 'kill') {
      signalGroup(this.pid, 'SIGKILL');
      return this.gone(CONFIRM_SLACK_MS);
    }
    try {
      fs.writeFileSync(path.join(this.locator.dir, 'control'), mode + '\n');
    } catch {
      // The trial directory is ours; if it is gone the SIGTERM still applies.
    }
    signalGroup(this.pid, 'SIGTERM');
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), graceMs);
      this.killTimer.unref();
    }
    return this.gone(graceMs + CONFIRM_SLACK_MS);
  }

  /** Resolves once no process of the group is left (or after `limitMs`, so a caller never hangs). */
  private gone(limitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const started = Date.now();
      const check = () => {
        if (!groupAlive(this.pid) || Date.now() - started >= limitMs) resolve();
        else setTimeout(check, 50).unref();
      };
      check();
    });
  }

  ended(): boolean {
    // The wrapper writes exit_code as soon as the command ends; a dead or zombie process has ended too.
    return this.exited !== null || this.pid <= 0 || readExitFile(this.locator.dir) !== null || !isAlive(this.pid, this.locator.pid_start);
  }

  tail(n: number): string[] {
    return this.ring.last(n);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }

  detach(): void {
    this.detached = true;
    if (this.timer) clearInterval(this.timer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.timer = null;
    this.logTail?.close();
    this.logTail = null;
  }
}

export class LocalRunner implements Runner {
  private readonly hostname: string;
  private readonly cpuHardware: string;
  private readonly gpuModels: Map<string, string>;
  private readonly busy = new Set<number>();

  constructor(readonly slots: number, private readonly gpus: string[] = []) {
    const cpus = os.cpus();
    this.hostname = os.hostname();
    this.cpuHardware = `${cpus.length}x ${cpus[0]?.model?.trim() ?? 'cpu'}`;
    this.gpuModels = gpus.length ? gpuModels() : new Map();
  }

  open(onHost: (e: HostEvent) => void): void {
    onHost({ type: 'host.up', host: this.hostname, slots: this.slots, reason: `local machine, ${this.slots} slot${this.slots === 1 ? '' : 's'}` });
  }

  private slotGpus(slot: number): string[] {
    return this.gpus.length ? [this.gpus[slot % this.gpus.length]] : [];
  }

  free(): Placement[] {
    const out: Placement[] = [];
    for (let slot = 0; slot < this.slots; slot++) if (!this.busy.has(slot)) out.push({ host: this.hostname, slot, gpus: this.slotGpus(slot) });
    return out;
  }

  /** The hardware a slot gives a trial: the GPU's model, not its index, so two identical cards rank together. */
  hardware(slot: number): string {
    const [gpu] = this.slotGpus(slot);
    if (gpu === undefined) return this.cpuHardware;
    return `${this.cpuHardware} + ${this.gpuModels.get(gpu) ?? 'GPU'}`;
  }

  /** The environment of everything run for a trial here (the trial itself and its evaluator). */
  private env(extra: Record<string, string>): Record<string, string> {
    return {
      ...(process.env as Record<string, string>),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: [HELPER_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      ...extra,
    };
  }

  private releaser(slot: number): () => void {
    return () => this.busy.delete(slot);
  }

  async start(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): Promise<RunningTrial> {
    return this.startNow(launch, placement, onLine);
  }

  /** Synchronous: the slot is taken and the process spawned before start() returns its promise. */
  private startNow(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): RunningTrial {
    const slot = placement.slot;
    this.busy.add(slot);
    try {
      fs.mkdirSync(launch.dir, { recursive: true });
      for (const [name, content] of Object.entries(launch.files)) fs.writeFileSync(path.join(launch.dir, name), content);
    } catch (err) {
      this.busy.delete(slot);
      throw err;
    }
    const logFile = path.join(launch.dir, 'output.log');
    for (const stale of ['exit_code', 'control', LIMIT_FILE]) fs.rmSync(path.join(launch.dir, stale), { force: true });
    const out = fs.openSync(logFile, 'a');
    const env = this.env(launch.env);
    const [gpu] = placement.gpus;
    if (gpu !== undefined) env.CUDA_VISIBLE_DEVICES = gpu;
    // A sandboxed trial runs only inside bwrap; when bwrap cannot start, it ends with sandboxError.
    const command = launch.sandbox ? localSandboxCommand(launch) : launch.command;
    const child = spawn('/bin/sh', ['-c', WRAPPER, 'nightshift-trial', command], {
      cwd: launch.cwd,
      env,
      stdio: ['ignore', out, out],
      detached: true, // its own session and process group: signals reach the whole trial
    });
    fs.closeSync(out);
    const pid = child.pid;
    const ring = new LineRing();
    const lines = (line: string) => {
      ring.push(line);
      onLine(line);
    };
    const logTail = new LogTail(logFile, lines, { maxLog: launch.maxLogBytes });
    const locator: Locator = { runner: 'local', host: this.hostname, pid: pid ?? -1, pid_start: pid === undefined ? undefined : processStartTime(pid), dir: launch.dir };
    const trial = new LocalTrial(launch.id, locator, this.hardware(slot), ring, logTail, false, this.releaser(slot));
    if (command !== launch.command) trial.limitsLeftover = limitsCleanup(limitsName(launch.dir));
    if (pid === undefined) {
      // spawn failed synchronously (e.g. cwd missing): report it as an exit.
      child.once('error', (err) => {
        fs.appendFileSync(logFile, `nightshift: could not start the trial: ${err.message}\n`);
        trial.onExit({ code: 127, signal: null });
      });
      return trial;
    }
    child.once('exit', (code, signal) => trial.onExit(withSandboxFailure(launch.dir, { code, signal })));
    child.once('error', () => trial.onExit({ code: 127, signal: null }));
    return trial;
  }

  async reattach(
    info: { id: number; locator: Locator; slot: number; maxLogBytes?: number },
    onLine: (line: string) => void,
  ): Promise<{ trial: RunningTrial; exited?: ExitInfo } | null> {
    const { locator, slot } = info;
    const logFile = path.join(locator.dir, 'output.log');
    const ring = new LineRing();
    const lines = (line: string) => {
      ring.push(line);
      onLine(line);
    };
    if (isAlive(locator.pid, locator.pid_start)) {
      this.busy.add(slot);
      const logTail = new LogTail(logFile, lines, { maxLog: info.maxLogBytes });
      return { trial: new LocalTrial(info.id, locator, this.hardware(slot), ring, logTail, true, this.releaser(slot)) };
    }
    const exit = readExitFile(locator.dir);
    if (exit) {
      // It finished while nobody watched: deliver its whole output, then its exit.
      this.busy.add(slot);
      new LogTail(logFile, lines, { maxLog: info.maxLogBytes }).finish();
      return { trial: new ExitedTrial(info.id, locator, this.hardware(slot), exit, ring, this.releaser(slot)), exited: exit };
    }
    return null;
  }

  exec(locator: Locator, req: ExecRequest): Promise<ExecResult> {
    return execLocal(locator.dir, this.env(req.env), req);
  }

  tail(locator: Locator, n: number): Promise<string[]> {
    return readTail(path.join(locator.dir, 'output.log'), n);
  }
}
