// One `hosts:` entry at run time: its connection, what it is (probed once per connection), its
// slots, the code shipped to it, and the trials running on it, polled together in one exec per
// tick (one channel, whatever the number of trials). While the connection is down the trials keep
// running on the host; past `host_grace` they are given up as lost (re-queued by the engine) and
// their process groups are killed if the host comes back.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { ExitInfo, HostEvent, Locator } from '../../src/runner.js';
import { HostConnection } from './connection.js';
import { ControlShell, runScript } from './control.js';
import { POLL_SCRIPT, parsePoll, parseProbe, probeScript, shCommand, SIGNAL_SCRIPT, startScript, type Probe, type StartSpec } from './remote.js';
import { ensureShipped, type CodePack } from './ship.js';
import { GPU_HELD_SCRIPT, gpuHeldMessage } from './gpu-release.js';
import type { Target } from './target.js';
import type { SshTrial, TrialHost } from './trial.js';
import { EXIT_DETAILS_SCRIPT, remoteExitDetails } from './sandbox-host.js';
import { lastLines } from '../sandbox/local.js';

const POLL_MS = 150;

export interface HostSpec {
  name: string;
  workdir: string;
  setup?: string;
  data_dir?: string;
  /** `sandbox: none`: trials that must run sandboxed run bare here when bwrap does not work. */
  sandbox?: 'none';
  /** One entry per slot: the GPUs it owns (empty for a CPU slot). */
  slots: string[][];
}

/** Why a connected host cannot take trials, in words a person can act on ('' when it can). */
export function hostProblem(spec: HostSpec, p: Probe, user: string): string {
  if (!p.workdirOk) return `workdir ${spec.workdir} cannot be created or written by ${user}; create it on the host (mkdir -p ${spec.workdir}) or fix workdir for this host`;
  if (p.setupFailed) return `the setup command failed on the host (exit ${p.setupFailed.replace(/^fail:/, '')}): ${spec.setup}`;
  const wanted = [...new Set(spec.slots.flat())];
  if (wanted.length && p.gpus.length === 0) return `gpus are declared for this host but nvidia-smi ${p.gpuError ? `failed: ${p.gpuError}` : 'is not there'}; declare slots: N for a CPU host, or fix the NVIDIA driver`;
  const missing = wanted.filter((g) => !p.gpus.some((x) => x.index === g));
  if (p.gpus.length && missing.length) return `GPU ${missing.join(', ')} declared but the host has ${p.gpus.map((g) => g.index).join(', ')}`;
  if (p.diskFreeKb !== undefined && p.diskFreeKb < 100 * 1024) return `the disk holding ${spec.workdir} is full (${p.diskFreeKb} KB free)`;
  return '';
}

export class RemoteHost implements TrialHost {
  readonly conn: HostConnection;
  /** Starts and signals go through a long-lived shell (control.ts), not an exec each. */
  private readonly control: ControlShell;
  /** Polls through their own, so a start never waits behind a poll. */
  private readonly pollShell: ControlShell;
  probe: Probe | null = null;
  /** Why the host cannot take trials although it is connected (no workdir, no GPU). */
  unusable = '';
  readonly busy = new Set<number>();
  private readonly trials = new Set<SshTrial>();
  private pollTimer: NodeJS.Timeout | null = null;
  /** A poll is under way: a second one would fetch the same bytes again. */
  private polling = false;
  private graceTimer: NodeJS.Timeout | null = null;
  private shipped: Promise<boolean> | null = null;
  /** Trial trees (code trials' commits) shipped or being shipped, by content hash. */
  private trees = new Map<string, Promise<boolean>>();
  /** Trials given up while the host was unreachable: their groups are killed when it is back. */
  private abandoned: Locator[] = [];
  private upWaiters: Array<() => void> = [];
  private closed = false;
  /** It was connected and fit for trials (a later drop is a reconnect, not a new failure). */
  private wasUsable = false;

  constructor(
    readonly spec: HostSpec,
    target: Target,
    private readonly opts: { graceMs: number; onHost: (e: HostEvent) => void; pack: () => Promise<CodePack> },
  ) {
    this.conn = new HostConnection(target, { up: () => void this.onUp(), down: (why) => this.onDown(why) });
    this.control = new ControlShell(this.conn);
    this.pollShell = new ControlShell(this.conn);
  }

  /** The workdir as an absolute path on the host (relative and ~/ paths are under the login home). */
  get workdir(): string {
    const w = this.spec.workdir;
    if (w.startsWith('/') || !this.probe?.home) return w;
    return `${this.probe.home.replace(/\/$/, '')}/${w.replace(/^~\/?/, '')}`.replace(/\/$/, '');
  }

  open(): void {
    this.conn.start();
  }

  /** Connected, probed and fit for trials. */
  usable(): boolean {
    return this.conn.state === 'up' && this.probe !== null && !this.unusable;
  }

  private async onUp(): Promise<void> {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    const t = this.conn.target;
    try {
      const started = Date.now();
      const r = await this.conn.exec(shCommand(probeScript(this.spec.workdir, this.spec.setup)), { timeoutMs: 30_000 });
      this.probe = parseProbe(r.stdout.toString('utf8'));
      const ms = Date.now() - started;
      this.unusable = hostProblem(this.spec, this.probe, this.conn.target.user);
      this.wasUsable = !this.unusable;
      if (this.unusable) this.opts.onHost({ type: 'host.down', host: this.spec.name, reason: this.unusable, ...this.facts() });
      else this.opts.onHost({ type: 'host.up', host: this.spec.name, ...this.facts(), reason: `${t.user}@${t.host}:${t.port}, ${this.hardware(0).replace(/ \+ .*/, '')}${this.probe.gpus.length ? `, ${this.probe.gpus.length} GPU` : ''}, ${this.spec.slots.length} slot${this.spec.slots.length === 1 ? '' : 's'}, probe ${ms} ms` });
    } catch (err) {
      // The connection dropped during the probe: onDown reports it.
      return;
    }
    for (const loc of this.abandoned.splice(0)) void this.signal(loc, '', 'KILL').catch(() => {});
    for (const w of this.upWaiters.splice(0)) w();
    this.schedulePoll();
  }

  /** What the hosts line shows of this host (journaled with host.up / host.down). */
  private facts(): { slots: number; remote: true } {
    return { slots: this.spec.slots.length, remote: true };
  }

  private onDown(reason: string): void {
    // A host that was working and lost its connection is being reconnected; a refusal needs a person.
    const reconnecting = this.wasUsable && !this.conn.refused;
    this.opts.onHost({ type: 'host.down', host: this.spec.name, reason, ...this.facts(), ...(reconnecting ? { reconnecting } : {}) });
    if (this.graceTimer || this.trials.size === 0) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (this.conn.state === 'up') return;
      const why = `host ${this.spec.name} unreachable for ${Math.round(this.opts.graceMs / 1000)} s (${reason})`;
      for (const trial of [...this.trials]) {
        this.abandoned.push(trial.locator);
        trial.finish({ code: null, signal: null, lost: why } as ExitInfo);
      }
    }, this.opts.graceMs);
    this.graceTimer.unref();
  }

  /** Why this host cannot take trials until a person acts (login or host key refused, unfit host), or ''. */
  hopeless(): string {
    if (this.unusable && this.conn.state === 'up') return this.unusable;
    return this.conn.state === 'down' && this.conn.refused ? this.conn.lastError : '';
  }

  /** Resolves when the host is usable, or after `ms` (false). */
  waitUsable(ms: number): Promise<boolean> {
    if (this.usable()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.usable()), ms);
      this.upWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.usable());
      });
    });
  }

  /** Ships the code (once per pack per runner; the host's cache makes later runs free). */
  ship(): Promise<boolean> {
    this.shipped ??= this.opts.pack().then((pack) => ensureShipped(this.conn, this.workdir, pack));
    // A failed shipment (connection dropped) is tried again by the next trial.
    this.shipped.catch(() => (this.shipped = null));
    return this.shipped;
  }

  /** Ships a trial's own tree (its commit), once per hash per runner; the host's cache makes it free after that. */
  shipTree(pack: CodePack): Promise<boolean> {
    let sent = this.trees.get(pack.hash);
    if (!sent) {
      sent = ensureShipped(this.conn, this.workdir, pack);
      this.trees.set(pack.hash, sent);
      sent.catch(() => this.trees.delete(pack.hash));
    }
    return sent;
  }

  /** Starts the trial's wrapper on the host; retried through a reconnect (the token makes it idempotent). */
  async startRemote(spec: Omit<StartSpec, 'token' | 'setup'>, limitMs: number): Promise<{ pid: number; pidStart?: string } | { error: string }> {
    const full: StartSpec = { ...spec, setup: this.spec.setup, token: randomBytes(8).toString('hex') };
    const deadline = Date.now() + limitMs;
    for (;;) {
      try {
        const r = await runScript(this.conn, this.control, { script: startScript(full), stderr: 'merge', timeoutMs: 30_000 });
        const lines = r.stdout.toString().trim().split('\n');
        const m = /^(\d+) ?(\d*)$/.exec(lines[lines.length - 1] ?? '');
        if (r.code === 0 && m) return { pid: Number(m[1]), pidStart: m[2] || undefined };
        return { error: (lines.pop() || `the start script exited ${r.code}`).slice(0, 500) };
      } catch (err) {
        if (Date.now() > deadline) return { error: `could not start it on ${this.spec.name}: ${(err as Error).message}` };
        await this.waitUsable(Math.max(0, deadline - Date.now()));
      }
    }
  }

  watch(trial: SshTrial): void {
    this.trials.add(trial);
    this.schedulePoll();
  }

  forget(trial: SshTrial): void {
    this.trials.delete(trial);
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.polling || this.closed || this.trials.size === 0) return;
    this.pollTimer = setTimeout(() => void this.poll(), POLL_MS);
  }

  /** One exec for every trial on the host: new output from each one's offset, exit files, liveness. */
  async poll(): Promise<void> {
    this.pollTimer = null;
    this.polling = true;
    const trials = [...this.trials];
    if (trials.length && this.conn.state === 'up') {
      const args = trials.flatMap((t) => t.pollArgs());
      try {
        const r = await this.pollExec(args);
        parsePoll(r.stdout, trials.length).forEach((res, i) => trials[i].onPoll(res));
      } catch {
        // Dropped mid-poll: the offsets did not move, the next poll after reconnecting asks again.
      }
    }
    this.polling = false;
    this.schedulePoll();
  }

  /** The poll script over each trial's SshTrial.pollArgs(); its answer is binary (log bytes), stderr dropped. */
  pollExec(args: string[]): Promise<{ stdout: Buffer }> {
    return runScript(this.conn, this.pollShell, { script: POLL_SCRIPT, args, stderr: 'drop', timeoutMs: 30_000 });
  }

  /** On a GPU host: a process still on the stopped trial's GPUs is reported (gpu-release.ts). */
  stopped(trial: SshTrial): void {
    if (!this.probe?.gpus.length || this.conn.state !== 'up') return;
    for (const gpu of trial.gpus) {
      void runScript(this.conn, this.pollShell, { script: GPU_HELD_SCRIPT, args: [gpu, trial.locator.dir, String(trial.locator.pid)], stderr: 'drop', timeoutMs: 15_000 })
        .then((r) => {
          const reason = gpuHeldMessage(r.stdout.toString('utf8'), gpu, trial.id);
          if (reason) this.opts.onHost({ type: 'host.warning', host: this.spec.name, reason });
        })
        .catch(() => {});
    }
  }

  async exitDetails(trial: SshTrial, code: number): Promise<{ limit?: string; sandboxError?: string }> {
    const r = await runScript(this.conn, this.pollShell, { script: EXIT_DETAILS_SCRIPT, args: [trial.locator.dir], stderr: 'drop', timeoutMs: 15_000 });
    return remoteExitDetails(r.stdout.toString('utf8'), code, lastLines(path.dirname(trial.mirror)));
  }

  async signal(locator: Locator, word: string, sig: 'TERM' | 'KILL' | '0'): Promise<boolean> {
    // A trial no longer followed (it ended; this is the clean-up of its group) does not hold up starts.
    const followed = [...this.trials].some((t) => t.locator === locator);
    const r = await runScript(this.conn, followed ? this.control : this.pollShell, { script: SIGNAL_SCRIPT, args: [String(locator.pid), locator.pid_start ?? '', locator.dir, word, sig], stderr: 'drop', timeoutMs: 15_000 });
    return r.stdout.toString().trim() === 'gone';
  }

  /** The hardware a slot gives a trial (the comparability fingerprint uses it): CPUs, and the slot's GPU with its driver. */
  hardware(slot: number): string {
    const p = this.probe;
    const cpu = p ? `${p.nproc}x ${p.cpu || 'cpu'}` : 'unknown';
    const gpu = this.spec.slots[slot]?.[0];
    if (gpu === undefined) return cpu;
    const g = p?.gpus.find((x) => x.index === gpu);
    return `${cpu} + ${g ? `${g.name} (driver ${g.driver})` : 'GPU'}`;
  }

  close(): void {
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.control.close();
    this.pollShell.close();
    this.conn.close();
  }
}
