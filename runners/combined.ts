// Local slots and SSH hosts together (`local: true` beside `hosts:`): the local runner owns slots
// 0..n-1, the SSH runner the rest; a trial's locator says which runner it belongs to.
import type { ExecRequest, HostEvent, Locator, Placement, Runner, RunningTrial, TrialLaunch } from '../src/runner.js';

export class CombinedRunner implements Runner {
  constructor(
    private readonly local: Runner,
    private readonly localSlots: number,
    private readonly remote: Runner,
  ) {}

  private bySlot(slot: number): Runner {
    return slot < this.localSlots ? this.local : this.remote;
  }

  private byLocator(locator: Locator): Runner {
    return locator.runner === 'local' ? this.local : this.remote;
  }

  open(onHost: (e: HostEvent) => void): void {
    this.local.open(onHost);
    this.remote.open(onHost);
  }

  /** Local slots can always run trials. */
  unusable(): string | null {
    return null;
  }

  free(): Placement[] {
    return [...this.local.free(), ...this.remote.free()];
  }

  start(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): Promise<RunningTrial> {
    return this.bySlot(placement.slot).start(launch, placement, onLine);
  }

  reattach(trial: { id: number; locator: Locator; slot: number; maxLogBytes?: number }, onLine: (line: string) => void) {
    return this.byLocator(trial.locator).reattach(trial, onLine);
  }

  exec(locator: Locator, req: ExecRequest) {
    return this.byLocator(locator).exec(locator, req);
  }

  tail(locator: Locator, n: number) {
    return this.byLocator(locator).tail(locator, n);
  }

  close(): void {
    this.local.close?.();
    this.remote.close?.();
  }
}
