// An in-memory runner for engine tests: no processes, no files. Each trial follows a script (the
// lines it prints, how it exits, or that it runs until stopped), so the engine's rules (queue,
// budget, cancel, judge) are tested without spawning anything.
import type { CancelMode, ExecRequest, ExecResult, ExitInfo, HostEvent, Locator, Placement, Runner, RunningTrial, TrialLaunch } from '../../src/runner.js';

export interface Script {
  lines?: string[];
  /** How it exits once its lines are out; omitted: it runs until cancelled (or `finish` is called). */
  exit?: ExitInfo;
}

export class MemoryTrial implements RunningTrial {
  readonly done: Promise<ExitInfo>;
  readonly lines: string[] = [];
  readonly cancels: CancelMode[] = [];
  private resolve!: (e: ExitInfo) => void;
  private exited = false;
  released = false;

  constructor(
    readonly id: number,
    readonly locator: Locator,
    readonly hardware: string,
    private readonly onLine: (line: string) => void,
    private readonly onRelease: () => void,
  ) {
    this.done = new Promise((r) => (this.resolve = r));
  }

  print(line: string): void {
    this.lines.push(line);
    this.onLine(line);
  }

  finish(exit: ExitInfo): void {
    if (this.exited) return;
    this.exited = true;
    this.resolve(exit);
  }

  cancel(mode: CancelMode): Promise<void> {
    this.cancels.push(mode);
    this.finish(mode === 'kill' ? { code: null, signal: 'SIGKILL' } : { code: 143, signal: null });
    return Promise.resolve();
  }

  ended(): boolean {
    return this.exited;
  }

  tail(n: number): string[] {
    return this.lines.slice(-n);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }

  detach(): void {}
}

export class MemoryRunner implements Runner {
  readonly launches: TrialLaunch[] = [];
  readonly trials = new Map<number, MemoryTrial>();
  readonly execs: ExecRequest[] = [];
  private readonly busy = new Set<number>();

  constructor(
    readonly slots: number,
    private readonly script: (launch: TrialLaunch) => Script = () => ({ exit: { code: 0, signal: null } }),
    /** The evaluator: what `exec` prints for a trial. */
    private readonly evaluator: (req: ExecRequest) => ExecResult = () => ({ ok: true, code: 0, signal: null, stdout: '', lastLine: '', timedOut: false }),
  ) {}

  open(onHost: (e: HostEvent) => void): void {
    onHost({ type: 'host.up', host: 'mem', reason: 'in memory' });
  }

  free(): Placement[] {
    const out: Placement[] = [];
    for (let slot = 0; slot < this.slots; slot++) if (!this.busy.has(slot)) out.push({ host: 'mem', slot, gpus: [] });
    return out;
  }

  async start(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): Promise<RunningTrial> {
    if (this.busy.has(placement.slot)) throw new Error(`slot ${placement.slot} is taken`);
    this.busy.add(placement.slot);
    this.launches.push(launch);
    const locator: Locator = { runner: 'local', host: 'mem', pid: 1_000_000 + launch.id, dir: launch.dir };
    const trial = new MemoryTrial(launch.id, locator, 'mem', onLine, () => this.busy.delete(placement.slot));
    this.trials.set(launch.id, trial);
    const s = this.script(launch);
    for (const line of s.lines ?? []) trial.print(line);
    if (s.exit) trial.finish(s.exit);
    return trial;
  }

  async reattach(): Promise<null> {
    return null;
  }

  async exec(_locator: Locator, req: ExecRequest): Promise<ExecResult> {
    this.execs.push(req);
    return this.evaluator(req);
  }

  async tail(): Promise<string[]> {
    return [];
  }

  /** Slots taken now (started and not yet released). */
  taken(): number {
    return this.busy.size;
  }
}
