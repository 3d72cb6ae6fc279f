// Metric points waiting for the next `trial.metric` event. A trial may print metric lines as fast as
// it likes (a `yes 'loss=0.5'` flood, a logger in a tight loop); the journal must not grow with
// that rate. So a batch keeps one point per step (a re-reported step replaces its value) and at
// most MAX_CURVE_POINTS of the primary metric's curve: past that, the newest point replaces the
// batch's last one, so the curve still ends on the latest value the trial printed.
import type { MetricPoint } from '../metrics.js';

/** Primary-metric points journaled per trial per batch (a batch is ~250 ms): ~256 points/s. */
export const MAX_CURVE_POINTS = 64;

export class MetricBatch {
  private points: Record<string, Array<[number, number]>> = {};
  private count = 0;

  constructor(private readonly primary: string) {}

  get size(): number {
    return this.count;
  }

  add(p: MetricPoint): void {
    const list = this.points[p.name];
    if (!list) {
      this.points[p.name] = [[p.step, p.value]];
      this.count++;
      return;
    }
    const last = list.length - 1;
    // Of secondary metrics only the latest value per batch is kept: that is all the state keeps.
    if (p.name !== this.primary || list[last][0] === p.step || list.length >= MAX_CURVE_POINTS) {
      list[last] = [p.step, p.value];
      return;
    }
    list.push([p.step, p.value]);
    this.count++;
  }

  /** Hands out the batch and starts a new one. */
  take(): Record<string, Array<[number, number]>> {
    const out = this.points;
    this.points = {};
    this.count = 0;
    return out;
  }
}
