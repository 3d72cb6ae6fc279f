// An append-only (step, value) series with value semantics.
//
// Each Series is a view of the first `length` points of shared backing arrays. Appending to the
// newest view pushes in place and returns a longer view; appending to an older view copies first.
// So a Series never changes once made (the reducer stays pure) while appending stays O(points)
// instead of O(length) — replaying a journal with long learning curves would otherwise be quadratic.

export class Series {
  static readonly EMPTY = new Series([], [], 0);
  private byStep: Map<number, number> | null = null;
  private pairs: Array<[number, number]> | null = null;

  private constructor(
    private readonly xs: number[],
    private readonly ys: number[],
    readonly length: number,
  ) {}

  static from(points: ReadonlyArray<readonly [number, number]>): Series {
    return Series.EMPTY.append(points);
  }

  append(points: ReadonlyArray<readonly [number, number]>): Series {
    if (points.length === 0) return this;
    let xs = this.xs;
    let ys = this.ys;
    if (xs.length !== this.length) {
      xs = xs.slice(0, this.length);
      ys = ys.slice(0, this.length);
    }
    for (const [x, y] of points) {
      xs.push(x);
      ys.push(y);
    }
    return new Series(xs, ys, xs.length);
  }

  step(i: number): number {
    return this.xs[i];
  }
  value(i: number): number {
    return this.ys[i];
  }
  get lastStep(): number | null {
    return this.length ? this.xs[this.length - 1] : null;
  }
  get lastValue(): number | null {
    return this.length ? this.ys[this.length - 1] : null;
  }

  /** Value by step (the last report wins when a step repeats). Cached: a Series never changes. */
  byStepMap(): ReadonlyMap<number, number> {
    if (!this.byStep) {
      const m = new Map<number, number>();
      for (let i = 0; i < this.length; i++) m.set(this.xs[i], this.ys[i]);
      this.byStep = m;
    }
    return this.byStep;
  }

  /** The points as [step, value] pairs. Cached (a Series never changes): treat it as read-only. */
  toArray(): ReadonlyArray<[number, number]> {
    if (!this.pairs) {
      const out: Array<[number, number]> = new Array(this.length);
      for (let i = 0; i < this.length; i++) out[i] = [this.xs[i], this.ys[i]];
      this.pairs = out;
    }
    return this.pairs;
  }
}
