// The SSH runner: trials on a pool of remote hosts (the campaign's `hosts:`), one connection per
// host, each trial a detached process group there. Slots are numbered across hosts in the order
// the campaign lists them (from `slotBase`, so a combined runner can put local slots first).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sanitizeLine } from '../../src/format/sanitize.js';
import { trialDir } from '../../src/paths.js';
import type { ExecRequest, ExecResult, ExitInfo, HostEvent, Locator, Placement, Runner, RunningTrial, TrialLaunch } from '../../src/runner.js';
import { HELPER_PYTHONPATH } from '../local.js';
import { RemoteHost, type HostSpec } from './host.js';
import { execScript, parsePoll, shCommand } from './remote.js';
import { codeDirFor, HELPER_DIR, packCode, type CodePack } from './ship.js';
import { resolveTarget, type TargetSpec } from './target.js';
import { SshTrial } from './trial.js';
import { insideShipment, packTrialTree, shipUntil } from './trial-tree.js';
import { planSandbox } from './sandbox-host.js';

export interface SshHostConfig extends TargetSpec, HostSpec {}

export interface SshRunnerOptions {
  hosts: SshHostConfig[];
  campaign: string;
  /** The local code directory shipped to every host (the campaign's workdir). */
  workdir: string;
  /** The state directory: left out of the shipment; trials' local output mirrors live there. */
  outDir: string;
  graceMs: number;
  acceptNewHostKeys: boolean;
  /** The first slot number this runner's slots get. */
  slotBase?: number;
  /** The campaign file as the user named it, for the hint when no host is usable. */
  campaignFile?: string;
  /** For tests: where ~/.ssh is looked up. */
  home?: string;
}

export class SshRunner implements Runner {
  readonly hosts: RemoteHost[];
  private readonly slotBase: number;
  private onHost: (e: HostEvent) => void = () => {};
  private pack: Promise<CodePack> | null = null;

  constructor(private readonly o: SshRunnerOptions) {
    this.slotBase = o.slotBase ?? 0;
    this.hosts = o.hosts.map((h) => {
      const target = resolveTarget(h, { acceptNewHostKeys: o.acceptNewHostKeys, home: o.home });
      return new RemoteHost(h, target, { graceMs: o.graceMs, onHost: (e) => this.onHost(e), pack: () => this.code() });
    });
  }

  /** Total slots over all hosts. */
  get slots(): number {
    return this.hosts.reduce((n, h) => n + h.spec.slots.length, 0);
  }

  private code(): Promise<CodePack> {
    this.pack ??= packCode(this.o.workdir, HELPER_PYTHONPATH, [this.o.outDir]);
    this.pack.catch(() => (this.pack = null));
    return this.pack;
  }

  open(onHost: (e: HostEvent) => void): void {
    this.onHost = onHost;
    for (const h of this.hosts) h.open();
  }

  close(): void {
    for (const h of this.hosts) h.close();
  }

  unusable(): string | null {
    const why = this.hosts.map((h) => h.hopeless());
    if (why.some((w) => !w)) return null;
    const file = this.o.campaignFile ?? 'campaign.yaml';
    return `no host can run trials: ${this.hosts.map((h, i) => `${h.spec.name}: ${why[i].replace(/\.$/, '')}`).join('; ')}. Fix them (\`nightshift hosts ${file}\` checks each one), then \`nightshift resume ${file}\``;
  }

  /** The host and its own slot index behind a global slot number. */
  private where(slot: number): { host: RemoteHost; local: number } | null {
    let base = this.slotBase;
    for (const host of this.hosts) {
      if (slot < base + host.spec.slots.length && slot >= base) return { host, local: slot - base };
      base += host.spec.slots.length;
    }
    return null;
  }

  free(): Placement[] {
    const out: Placement[] = [];
    let base = this.slotBase;
    for (const host of this.hosts) {
      if (host.usable()) host.spec.slots.forEach((gpus, i) => !host.busy.has(i) && out.push({ host: host.spec.name, slot: base + i, gpus, hostSlot: i }));
      base += host.spec.slots.length;
    }
    return out;
  }

  private remoteDir(host: RemoteHost, id: number): string {
    return `${host.workdir}/${this.o.campaign}/${id}`;
  }

  /** A local path inside the campaign's workdir, as the shipped tree on the host has it. */
  private remoteCwd(localCwd: string, codeDir: string): string {
    const rel = path.relative(this.o.workdir, localCwd);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `${codeDir}/${rel.split(path.sep).join('/')}` : codeDir;
  }

  private baseEnv(host: RemoteHost, codeDir: string): Record<string, string> {
    return {
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: `${codeDir}/${HELPER_DIR}`,
      ...(host.spec.data_dir ? { NIGHTSHIFT_DATA_DIR: host.spec.data_dir } : {}),
    };
  }

  async start(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): Promise<RunningTrial> {
    const at = this.where(placement.slot);
    if (!at) throw new Error(`slot ${placement.slot} is not an SSH slot`);
    const { host, local } = at;
    host.busy.add(local);
    const release = () => host.busy.delete(local);
    const mirror = path.join(launch.dir, 'output.log');
    fs.mkdirSync(launch.dir, { recursive: true });
    fs.rmSync(mirror, { force: true });
    const dir = this.remoteDir(host, launch.id);
    const failed = (why: string, sandboxError?: string) => {
      fs.appendFileSync(mirror, `nightshift: could not start the trial on ${host.spec.name}: ${why}\n`);
      const trial = new SshTrial(launch.id, { runner: 'ssh', host: host.spec.name, pid: -1, dir }, host.hardware(local), mirror, onLine, host, release);
      trial.finish({ code: 127, signal: null, ...(sandboxError ? { sandboxError } : {}) });
      return trial;
    };
    let codeDir: string;
    let cwd: string;
    try {
      const deadline = Date.now() + this.o.graceMs;
      // The campaign's code always goes (the evaluator runs there); a code trial's own tree too.
      await shipUntil(host, () => host.ship(), deadline);
      codeDir = codeDirFor(host.workdir, (await this.code()).hash);
      cwd = this.remoteCwd(launch.cwd, codeDir);
      if (!insideShipment(this.o.workdir, this.o.outDir, launch.cwd)) {
        const tree = await packTrialTree(launch.cwd, this.o.outDir);
        await shipUntil(host, () => host.shipTree(tree), deadline);
        codeDir = cwd = codeDirFor(host.workdir, tree.hash);
      }
    } catch (err) {
      return failed((err as Error).message);
    }
    const env: Record<string, string> = { ...this.baseEnv(host, codeDir) };
    for (const [k, v] of Object.entries(launch.env)) env[k] = v.split(launch.dir).join(dir);
    const [gpu] = placement.gpus;
    if (gpu !== undefined) env.CUDA_VISIBLE_DEVICES = gpu;
    let command = launch.command;
    if (launch.sandbox) {
      const plan = planSandbox({ host: host.spec.name, bwrap: host.probe?.bwrap, hostSandbox: host.spec.sandbox, trialId: launch.id }, command, launch.sandbox, { localCwd: launch.cwd, cwd, trialDir: dir });
      if ('refuse' in plan) return failed(plan.refuse, plan.refuse);
      if ('bare' in plan) this.onHost({ type: 'host.warning', host: host.spec.name, reason: plan.bare });
      else command = plan.wrap;
    }
    const started = await host.startRemote({ dir, cwd, command, env, files: launch.files }, this.o.graceMs);
    if ('error' in started) return failed(started.error);
    const locator: Locator = { runner: 'ssh', host: host.spec.name, pid: started.pid, pid_start: started.pidStart, dir };
    const trial = new SshTrial(launch.id, locator, host.hardware(local), mirror, onLine, host, release, launch.maxLogBytes);
    trial.gpus = placement.gpus;
    host.watch(trial);
    return trial;
  }

  async reattach(
    info: { id: number; locator: Locator; slot: number; maxLogBytes?: number },
    onLine: (line: string) => void,
  ): Promise<{ trial: RunningTrial; exited?: ExitInfo } | null> {
    const at = this.where(info.slot);
    if (info.locator.runner !== 'ssh' || !at || at.host.spec.name !== info.locator.host) return null;
    const { host, local } = at;
    host.busy.add(local);
    const release = () => host.busy.delete(local);
    const mirror = path.join(trialDir(this.o.outDir, info.id), 'output.log');
    const trial = new SshTrial(info.id, info.locator, host.hardware(local), mirror, onLine, host, release, info.maxLogBytes);
    trial.gpus = host.spec.slots[local] ?? [];
    // Not reachable yet: followed as running; the grace period decides if the host stays away.
    if (!(await host.waitUsable(Math.min(this.o.graceMs, 20_000)))) {
      host.watch(trial);
      return { trial };
    }
    let first;
    try {
      first = parsePoll((await host.pollExec(trial.pollArgs())).stdout, 1)[0];
    } catch {
      host.watch(trial);
      return { trial };
    }
    if (first.exit === null && !first.alive) {
      trial.detach();
      release();
      return null;
    }
    trial.onPoll(first);
    host.watch(trial);
    // Finished while nobody watched: its remaining output is fetched, then its exit is known.
    if (first.exit !== null) return { trial, exited: await trial.done };
    return { trial };
  }

  async exec(locator: Locator, req: ExecRequest): Promise<ExecResult> {
    const host = this.hosts.find((h) => h.spec.name === locator.host);
    if (!host) return { ok: false, error: `host ${locator.host} is no longer in the campaign's hosts:` };
    try {
      const codeDir = codeDirFor(host.workdir, (await this.code()).hash);
      const env = { ...this.baseEnv(host, codeDir), ...req.env };
      const script = execScript({ dir: locator.dir, cwd: this.remoteCwd(req.cwd, codeDir), env, command: req.command, logName: req.logName, timeoutMs: req.timeoutMs, killGraceMs: req.killGraceMs });
      const r = await host.conn.exec(shCommand(script), { timeoutMs: req.timeoutMs + req.killGraceMs + 30_000 });
      const timedOut = r.code === 124;
      return { ok: true, code: r.code, signal: r.signal, stdout: r.stdout.toString('utf8'), lastLine: r.code === 0 ? '' : r.stderr.trim().split('\n').pop() ?? '', timedOut };
    } catch (err) {
      return { ok: false, error: `could not run it on ${host.spec.name}: ${(err as Error).message}` };
    }
  }

  async tail(locator: Locator, n: number): Promise<string[]> {
    const host = this.hosts.find((h) => h.spec.name === locator.host);
    if (!host || host.conn.state !== 'up') return [];
    try {
      const r = await host.conn.exec(shCommand('tail -c 65536 "$1/output.log" 2>/dev/null', [locator.dir]), { timeoutMs: 15_000 });
      const lines = r.stdout.toString('utf8').split(/\r?\n|\r/);
      if (lines[lines.length - 1] === '') lines.pop();
      return lines.slice(-n).map(sanitizeLine);
    } catch {
      return [];
    }
  }
}
