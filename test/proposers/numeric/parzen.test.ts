// The estimator's maths on small cases worked by hand from Optuna's definitions.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../proposers/numeric/rng.js';
import type { Space, TrialView } from '../../../src/types.js';
import { logGaussMass, ndtr, ndtri, sampleTruncNorm } from '../../../proposers/numeric/parzen-math.js';
import { categoricalKernelWeights, defaultWeights, univariateSigmas } from '../../../proposers/numeric/parzen-kernels.js';
import { Parzen } from '../../../proposers/numeric/parzen.js';
import { RowCache, buildSpaceModel, toExternal, toInternal } from '../../../proposers/numeric/space-model.js';
import { collectObservations, splitObservations } from '../../../proposers/tpe-observations.js';
import { gammaCount } from '../../../proposers/tpe.js';

const PO = { priorWeight: 1, multivariate: false, considerEndpoints: false, magicClip: true };

function trial(id: number, status: TrialView['status'], params: TrialView['params'], score: number | null, extra: Partial<TrialView> = {}): TrialView {
  return { id, status, params, score, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'test', ...extra };
}

describe('normal maths', () => {
  it('ndtri inverts ndtr, deep into both tails', () => {
    for (const x of [-30, -8, -3, -0.5, 0, 0.7, 2.5, 6]) expect(ndtri(ndtr(x))).toBeCloseTo(x, 5);
  });

  it('logGaussMass matches numeric integration, in the tails and for narrow buckets', () => {
    const integrate = (a: number, b: number) => {
      const n = 20000;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const x = a + ((i + 0.5) * (b - a)) / n;
        s += Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
      }
      return (s * (b - a)) / n;
    };
    for (const [a, b] of [[-1, 2], [0.1, 0.2], [3, 4], [-9, -8.5], [12, 12.4], [-0.05, 0.05], [5, 5.01]]) {
      expect(logGaussMass(a, b)).toBeCloseTo(Math.log(integrate(a, b)), 4);
    }
    expect(logGaussMass(30, 31)).toBeLessThan(-400); // finite, not -Infinity
    expect(Number.isFinite(logGaussMass(30, 31))).toBe(true);
  });

  it('truncated normal draws stay inside and have the right mean', () => {
    const rng = new Rng(1);
    let s = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = sampleTruncNorm(rng, 0, 1, 0, 10);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(10);
      s += x;
    }
    expect(s / n).toBeCloseTo(Math.sqrt(2 / Math.PI), 1); // half-normal mean 0.798
  });
});

describe("Optuna's rules", () => {
  it('good-set size: min(ceil(0.1 n), 25)', () => {
    expect([1, 10, 11, 99, 100, 240, 250, 251, 5000].map((n) => gammaCount(n, 0.1, 25))).toEqual([1, 1, 2, 10, 10, 24, 25, 25, 25]);
  });

  it('weights: flat below 25 observations, then a linear ramp for the older ones', () => {
    expect(Array.from(defaultWeights(3))).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w.length).toBe(30);
    // numpy.linspace(1/30, 1, 5)
    const ramp = [1 / 30, 1 / 30 + (29 / 30) / 4, 1 / 30 + (2 * 29) / 30 / 4, 1 / 30 + (3 * 29) / 30 / 4, 1];
    ramp.forEach((v, i) => expect(w[i]).toBeCloseTo(v, 12));
    expect(Array.from(w.subarray(5))).toEqual(new Array(25).fill(1));
  });

  it('bandwidths: the larger gap to a neighbour or an end, outermost kernels one-sided, clipped by the magic clip', () => {
    // [0.1, 0.5, 0.7] on [0, 1]: 0.1 → right gap 0.4 (one-sided), 0.5 → max(0.4, 0.2), 0.7 → left gap 0.2;
    // minsigma = 1 / min(100, 1 + 4 kernels) = 0.2
    const s = univariateSigmas(Float64Array.from([0.7, 0.1, 0.5]), 0, 1, PO);
    expect(Array.from(s)).toEqual([0.2, 0.4, 0.4].map((v) => expect.closeTo(v, 12)));
    // consider_endpoints: 0.7 takes max(0.2, 0.3)
    expect(univariateSigmas(Float64Array.from([0.7, 0.1, 0.5]), 0, 1, { ...PO, considerEndpoints: true })[0]).toBeCloseTo(0.3, 12);
    // few observations: the clip is range / min(100, 1 + n + 1); many: range / 100
    expect(univariateSigmas(Float64Array.from([0.5]), 0, 1, PO)[0]).toBeCloseTo(0.5, 12);
    const dense = univariateSigmas(Float64Array.from({ length: 500 }, (_, i) => i / 500), 0, 1, PO);
    expect(Math.min(...dense)).toBeCloseTo(0.01, 12);
  });

  it('bandwidths keep duplicates in order of appearance', () => {
    const s = univariateSigmas(Float64Array.from([0.2, 0.2, 0.9]), 0, 1, { ...PO, magicClip: false });
    // sorted 0.2, 0.2, 0.9 with ends 0 and 1: the first 0.2 is outermost (right gap 0), the second max(0, 0.7)
    expect(s[0]).toBeCloseTo(1e-12, 15);
    expect(s[1]).toBeCloseTo(0.7, 12);
    expect(s[2]).toBeCloseTo(0.7, 12);
  });

  it('multivariate kernels take each dimension\'s own gap bandwidth (Optuna 5), not Scott\'s rule', () => {
    const space: Space = { x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } };
    const model = buildSpaceModel(space);
    const obs = Float64Array.from([0.1, 0.9, 0.5, 0.2, 0.7, 0.6]);
    const p = new Parzen(model.dims, obs, 3, { ...PO, multivariate: true }, 2);
    const sx = univariateSigmas(Float64Array.from([0.1, 0.5, 0.7]), 0, 1, PO);
    const sy = univariateSigmas(Float64Array.from([0.9, 0.2, 0.6]), 0, 1, PO);
    // kernels are stored sorted by x; find each observation's kernel
    for (let o = 0; o < 3; o++) {
      const k = [0, 1, 2].find((kk) => p.mu[kk * 2] === obs[o * 2])!;
      expect(p.sigma[k * 2]).toBeCloseTo(sx[o], 12);
      expect(p.sigma[k * 2 + 1]).toBeCloseTo(sy[o], 12);
    }
  });

  it('categorical kernel weights: prior_weight / kernels spread over the choices, +1 on the observed one', () => {
    const { hit, miss } = categoricalKernelWeights(3, 4, 1);
    expect(hit).toBeCloseTo(0.625, 12);
    expect(miss).toBeCloseTo(0.125, 12);
    // Mixture over observations [a, a, c] and the uniform prior, each weight 1/4.
    const space: Space = { c: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] } };
    const model = buildSpaceModel(space);
    const p = new Parzen(model.dims, Float64Array.from([0, 0, 2]), 3, PO, 1);
    const lp = p.logPdf(Float64Array.from([0, 1, 2, 3]), 4);
    expect(Array.from(lp).map(Math.exp)).toEqual([0.40625, 0.15625, 0.28125, 0.15625].map((v) => expect.closeTo(v, 12)));
  });

  it('splits like Optuna: best complete first, then pruned by (deeper step, value); running trials are always bad', () => {
    const space: Space = { x: { type: 'float', low: 0, high: 1 } };
    const model = buildSpaceModel(space);
    const h: TrialView[] = [
      trial(0, 'discard', { x: 0.1 }, 5),
      trial(1, 'keep', { x: 0.2 }, 1),
      trial(2, 'pruned', { x: 0.3 }, null, { lastValue: 0.5, lastStep: 3 }),
      trial(3, 'pruned', { x: 0.4 }, null, { lastValue: 0.1, lastStep: 1 }),
      trial(4, 'crash', { x: 0.5 }, null),
      trial(5, 'running', { x: 0.6 }, null),
      trial(6, 'discard', { x: 0.7 }, 3),
      trial(7, 'lost', { x: 0.8 }, null),
    ];
    const obs = collectObservations(model, h, 'minimize', true, new RowCache());
    expect(obs.count).toBe(6); // crash and lost are ignored
    expect(obs.finished).toBe(5); // running does not count
    const x = (idx: Int32Array) => Array.from(idx).map((c) => obs.rows[c][0]);
    expect(x(splitObservations(obs, 2).below)).toEqual([0.2, 0.7]);
    // 4 good: 3 complete, then the pruned trial that got further (step 3) before the one with the better value
    const s4 = splitObservations(obs, 4);
    expect(x(s4.below)).toEqual([0.1, 0.2, 0.3, 0.7]);
    expect(x(s4.above)).toEqual([0.4, 0.6]);
    // maximize flips the order
    const obsMax = collectObservations(model, h, 'maximize', false, new RowCache());
    expect(Array.from(splitObservations(obsMax, 1).below).map((c) => obsMax.rows[c][0])).toEqual([0.1]);
  });
});

describe('transforms', () => {
  const space: Space = {
    lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
    layers: { type: 'int', low: 1, high: 8 },
    width: { type: 'int', low: 16, high: 1024, log: true },
    drop: { type: 'float', low: 0, high: 0.5, step: 0.1 },
    opt: { type: 'categorical', choices: ['adam', 'sgd'] },
    fixed: { type: 'int', low: 3, high: 3 },
  };
  const model = buildSpaceModel(space);
  const dim = (n: string) => model.dims.find((d) => d.name === n)!;

  it('log floats live in log space; ints and steps are buckets widened by half a step; log-ints are continuous in log space', () => {
    expect(dim('lr')).toMatchObject({ kind: 'cont', log: true, lo: Math.log(1e-5), hi: Math.log(1e-1) });
    expect(dim('layers')).toMatchObject({ kind: 'disc', lo: 0.5, hi: 8.5, step: 1 });
    expect(dim('width')).toMatchObject({ kind: 'cont', log: true, lo: Math.log(15.5), hi: Math.log(1024.5) });
    expect(dim('drop')).toMatchObject({ kind: 'disc', step: 0.1, lo: -0.05 });
    expect(model.fixed).toEqual([['fixed', 3]]);
  });

  it('round-trips values and snaps to the grid', () => {
    expect(toExternal(dim('lr'), toInternal(dim('lr'), 0.003))).toBeCloseTo(0.003, 12);
    expect(toExternal(dim('width'), Math.log(100.4))).toBe(100);
    expect(toExternal(dim('drop'), 0.26)).toBe(0.3);
    expect(toExternal(dim('layers'), 9)).toBe(8);
    expect(toInternal(dim('opt'), 'sgd')).toBe(1);
    expect(toInternal(dim('opt'), 'rmsprop')).toBeNaN();
  });

  it('a discrete dimension is a proper distribution over its grid; a continuous one integrates to 1', () => {
    const layers = dim('layers');
    const p = new Parzen([layers], Float64Array.from([2, 2, 7]), 3, PO, 1);
    const grid = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const total = Array.from(p.logPdf(grid, 8)).reduce((s, v) => s + Math.exp(v), 0);
    expect(total).toBeCloseTo(1, 5);

    const lr = dim('lr');
    const obs = Float64Array.from([-10, -9.5, -3]);
    const q = new Parzen([lr], obs, 3, PO, 1);
    const n = 4000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = lr.lo + ((i + 0.5) * (lr.hi - lr.lo)) / n;
    const integral = (Array.from(q.logPdf(xs, n)).reduce((s, v) => s + Math.exp(v), 0) * (lr.hi - lr.lo)) / n;
    expect(integral).toBeCloseTo(1, 4);
  });

  it('the fast log-density (kernels skipped when negligible) equals the exact one', () => {
    const rng = new Rng(7);
    const intOnly = buildSpaceModel({ a: { type: 'int', low: 0, high: 300 }, b: { type: 'int', low: 1, high: 4 }, c: space.opt });
    for (const [model, multivariate] of [[buildSpaceModel(space), false], [buildSpaceModel(space), true], [intOnly, true]] as const) {
      const D = model.dims.length;
      const nObs = 300;
      const obs = new Float64Array(nObs * D);
      for (let k = 0; k < nObs; k++) {
        for (let j = 0; j < D; j++) {
          const d = model.dims[j];
          obs[k * D + j] = d.kind === 'cat' ? Math.floor(rng.next() * 2) : toInternal(d, toExternal(d, d.lo + rng.next() * (d.hi - d.lo)));
        }
      }
      const p = new Parzen(model.dims, obs, nObs, { ...PO, multivariate }, D);
      const cand = p.sample(rng, 24);
      expect(cand.length).toBe(24 * D); // n_ei_candidates rows
      const fast = p.logPdf(cand, 24);
      for (let i = 0; i < 24; i++) expect(fast[i]).toBeCloseTo(p.logPdfExact(cand.subarray(i * D, (i + 1) * D)), 8);
    }
  });
});
