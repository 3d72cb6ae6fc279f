// Pieces of a runner's trial handle that are not about processes: the output lines kept in memory,
// and the handle of a trial found already finished on re-attach.
import type { ExitInfo, Locator, RunningTrial } from '../src/runner.js';

/** Output lines a running trial keeps in memory for the detail view. */
const TAIL_LINES = 200;

/** The last output lines in memory, trimmed in batches (a splice per line cost more than a flood's parsing). */
export class LineRing {
  private lines: string[] = [];
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 2 * TAIL_LINES) this.lines.splice(0, this.lines.length - TAIL_LINES);
  }
  last(n: number): string[] {
    return this.lines.slice(-n);
  }
}

/** A trial found finished on re-attach: its output was re-read, its exit is known. */
export class ExitedTrial implements RunningTrial {
  readonly done: Promise<ExitInfo>;
  constructor(
    readonly id: number,
    readonly locator: Locator,
    readonly hardware: string,
    exit: ExitInfo,
    private readonly ring: LineRing,
    readonly release: () => void,
  ) {
    this.done = Promise.resolve(exit);
  }
  cancel(): Promise<void> {
    return Promise.resolve();
  }
  ended(): boolean {
    return true;
  }
  tail(n: number): string[] {
    return this.ring.last(n);
  }
  detach(): void {}
}
