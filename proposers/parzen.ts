// Parzen estimators for TPE, as Optuna 4.x defines them (optuna/samplers/_tpe/parzen_estimator.py):
// a mixture of one kernel per observation plus a prior kernel, truncated-normal kernels for numeric
// dimensions (discretised into buckets for int and stepped ones), categorical kernels for choices.
// Everything lives in flat Float64Arrays; the log-density loop skips kernels that cannot matter.
import type { ParamSpec, ParamValue, Space } from '../src/types.js';
import type { Rng } from '../src/rng.js';
import { snap } from '../src/space.js';
import { LOG_SQRT_2PI, logGaussMass, sampleTruncNorm } from './parzen-math.js';

/** Optuna's default_weights: trials older than the newest 25 get linearly lower weights. */
export const FLAT_WEIGHT_TRIALS = 25;
/** Magic clip: no kernel narrower than range / min(100, 1 + kernels). */
const MAGIC_CLIP_MAX_KERNELS = 100;
/**
 * A kernel whose log term is this far below the prior kernel's term adds less than e^−30 (1e-13)
 * relative to the density, so its exp() is skipped.
 */
const LOG_CUTOFF = 30;
/** Φ(−8.3) < 5.3e-17: a kernel this many bandwidths inside both ends is not truncated. */
const TRUNCATION_FREE = 8.3;

export type DimKind = 'cont' | 'disc' | 'cat';

/** One searched dimension, in the internal (transformed) coordinates the estimators work in. */
export interface Dim {
  name: string;
  spec: ParamSpec;
  kind: DimKind;
  /** Internal value = ln(value). */
  log: boolean;
  /** Truncation bounds of the kernels (widened by step/2 for discrete and log-int dimensions). */
  lo: number;
  hi: number;
  /** Grid of a discrete dimension: low, high and step in internal (= external) units. */
  gridLow: number;
  gridHigh: number;
  step: number;
  /** Categorical choices. */
  choices: ParamValue[];
}

export interface SpaceModel {
  /** Dimensions with more than one possible value, in space order. */
  dims: Dim[];
  /** Dimensions with a single value, copied into every proposal. */
  fixed: Array<[string, ParamValue]>;
  /** JSON of the space, to notice a changed space. */
  fingerprint: string;
}

export function buildSpaceModel(space: Space): SpaceModel {
  const dims: Dim[] = [];
  const fixed: Array<[string, ParamValue]> = [];
  for (const [name, spec] of Object.entries(space)) {
    if (spec.type === 'categorical') {
      if (spec.choices.length <= 1) fixed.push([name, spec.choices[0]]);
      else dims.push({ name, spec, kind: 'cat', log: false, lo: 0, hi: 0, gridLow: 0, gridHigh: 0, step: 0, choices: [...spec.choices] });
      continue;
    }
    if (!(spec.high > spec.low)) {
      fixed.push([name, spec.low]);
      continue;
    }
    const step = spec.step !== undefined && spec.step > 0 ? spec.step : spec.type === 'int' ? 1 : 0;
    const log = spec.log === true;
    if (step > 0 && !log) {
      // The grid's last point may fall short of high when (high − low) is not a multiple of step.
      const gridHigh = spec.low + Math.floor((spec.high - spec.low) / step + 1e-9) * step;
      dims.push({
        name, spec, kind: 'disc', log, lo: spec.low - step / 2, hi: gridHigh + step / 2,
        gridLow: spec.low, gridHigh, step, choices: [],
      });
    } else if (step > 0) {
      // Log-int (and log-stepped floats): continuous in log space on [ln(low − step/2), ln(high + step/2)],
      // rounded to the grid afterwards, as Optuna does.
      const lowExt = spec.low - step / 2 > 0 ? spec.low - step / 2 : spec.low / 2;
      dims.push({ name, spec, kind: 'cont', log, lo: Math.log(lowExt), hi: Math.log(spec.high + step / 2), gridLow: 0, gridHigh: 0, step: 0, choices: [] });
    } else {
      dims.push({
        name, spec, kind: 'cont', log, lo: log ? Math.log(spec.low) : spec.low, hi: log ? Math.log(spec.high) : spec.high,
        gridLow: 0, gridHigh: 0, step: 0, choices: [],
      });
    }
  }
  return { dims, fixed, fingerprint: JSON.stringify(space) };
}

/** A parameter value in internal coordinates, or NaN when it is missing or not in the dimension. */
export function toInternal(dim: Dim, value: ParamValue | undefined): number {
  if (value === undefined) return NaN;
  if (dim.kind === 'cat') {
    const i = dim.choices.indexOf(value);
    if (i >= 0) return i;
    const s = String(value);
    for (let j = 0; j < dim.choices.length; j++) if (String(dim.choices[j]) === s) return j;
    return NaN;
  }
  const raw = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(raw)) return NaN;
  const spec = dim.spec as Extract<ParamSpec, { low: number }>;
  let v = raw < spec.low ? spec.low : raw > spec.high ? spec.high : raw;
  if (dim.kind === 'disc') {
    v = dim.gridLow + Math.round((v - dim.gridLow) / dim.step) * dim.step;
    return v > dim.gridHigh ? dim.gridHigh : v;
  }
  return dim.log ? Math.log(v) : v;
}

/** Internal coordinates back to a parameter value, snapped to the dimension's grid. */
export function toExternal(dim: Dim, x: number): ParamValue {
  if (dim.kind === 'cat') return dim.choices[Math.min(dim.choices.length - 1, Math.max(0, Math.round(x)))];
  return snap(dim.spec, dim.log ? Math.exp(x) : x);
}

/** Round a discrete dimension's internal value onto its grid. */
export function roundToGrid(dim: Dim, x: number): number {
  const v = dim.gridLow + Math.round((x - dim.gridLow) / dim.step) * dim.step;
  return v < dim.gridLow ? dim.gridLow : v > dim.gridHigh ? dim.gridHigh : v;
}

/** Optuna's default_weights(n). */
export function defaultWeights(n: number, out: Float64Array = new Float64Array(n)): Float64Array {
  if (n < FLAT_WEIGHT_TRIALS) {
    out.fill(1, 0, n);
    return out;
  }
  const ramp = n - FLAT_WEIGHT_TRIALS;
  // numpy.linspace(1/n, 1, num=ramp)
  const start = 1 / n;
  for (let i = 0; i < ramp; i++) out[i] = ramp === 1 ? start : start + ((1 - start) * i) / (ramp - 1);
  out.fill(1, ramp, n);
  return out;
}

export interface ParzenOptions {
  priorWeight: number;
  multivariate: boolean;
  considerEndpoints: boolean;
  magicClip: boolean;
}

/**
 * Stable argsort of the first n values, all in [lo, hi], by a 32-bit key (the position in the range):
 * an LSD radix sort, 4 passes of 8 bits, several times faster than sorting doubles for TPE's sizes.
 * Values closer than 2.3e-10 of the range may come out in input order, which only moves a bandwidth
 * by that much (and the magic clip is range / 100).
 */
export function argsortInRange(values: Float64Array, n: number, lo: number, hi: number, out: Uint32Array = new Uint32Array(n)): Uint32Array {
  if (scratchKeys.length < n) {
    const cap = Math.max(n, 2 * scratchKeys.length);
    scratchKeys = new Uint32Array(cap);
    scratchKeys2 = new Uint32Array(cap);
    scratchIdx = new Uint32Array(cap);
  }
  let keys = scratchKeys;
  let keys2 = scratchKeys2;
  let idx = out;
  let idx2 = scratchIdx;
  const scale = hi > lo ? 4294967295 / (hi - lo) : 0;
  const hist = scratchHist;
  hist.fill(0);
  for (let i = 0; i < n; i++) {
    const k = (values[i] - lo) * scale;
    const key = k <= 0 ? 0 : k >= 4294967295 ? 4294967295 : k >>> 0;
    keys[i] = key;
    idx[i] = i;
    hist[key & 255]++;
    hist[256 + ((key >>> 8) & 255)]++;
    hist[512 + ((key >>> 16) & 255)]++;
    hist[768 + (key >>> 24)]++;
  }
  for (let pass = 0; pass < 4; pass++) {
    const h = pass * 256;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = hist[h + b];
      hist[h + b] = sum;
      sum += c;
    }
    const shift = pass * 8;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const pos = hist[h + ((key >>> shift) & 255)]++;
      keys2[pos] = key;
      idx2[pos] = idx[i];
    }
    let t = keys;
    keys = keys2;
    keys2 = t;
    t = idx;
    idx = idx2;
    idx2 = t;
  }
  // After an even number of passes the result is back in `out`.
  return out;
}

let scratchKeys = new Uint32Array(256);
let scratchKeys2 = new Uint32Array(256);
let scratchIdx = new Uint32Array(256);
const scratchHist = new Uint32Array(1024);

/**
 * Bandwidths of one numeric dimension (compute_sigmas in Optuna's newest parzen_estimator.py, used for
 * independent and multivariate TPE alike): the larger gap to a neighbouring observation or to an end of
 * the range, the outermost kernels one-sided (unless consider_endpoints), clipped to
 * [range / min(100, 1 + kernels), range]. Returns the observations' order by value and their
 * bandwidths in that order.
 */
export function sortedUnivariateKernels(
  values: Float64Array,
  n: number,
  lo: number,
  hi: number,
  options: Pick<ParzenOptions, 'considerEndpoints' | 'magicClip'>,
): { order: Uint32Array; sigmas: Float64Array } {
  const order = argsortInRange(values, n, lo, hi);
  const ext = new Float64Array(n + 2);
  ext[0] = lo;
  for (let p = 0; p < n; p++) ext[p + 1] = values[order[p]];
  ext[n + 1] = hi;
  const sigmas = new Float64Array(n);
  const oneSided = !options.considerEndpoints && n >= 2;
  for (let p = 1; p <= n; p++) {
    let s: number;
    if (oneSided && p === 1) s = ext[2] - ext[1];
    else if (oneSided && p === n) s = ext[n] - ext[n - 1];
    else s = Math.max(ext[p] - ext[p - 1], ext[p + 1] - ext[p]);
    sigmas[p - 1] = s;
  }
  clipSigmas(sigmas, hi - lo, n + 1, options.magicClip);
  return { order, sigmas };
}

/** The bandwidths of sortedUnivariateKernels in the observations' own order (for tests). */
export function univariateSigmas(values: Float64Array, lo: number, hi: number, options: Pick<ParzenOptions, 'considerEndpoints' | 'magicClip'>): Float64Array {
  const { order, sigmas } = sortedUnivariateKernels(values, values.length, lo, hi, options);
  const out = new Float64Array(values.length);
  for (let k = 0; k < order.length; k++) out[order[k]] = sigmas[k];
  return out;
}

function clipSigmas(sigmas: Float64Array, range: number, nKernels: number, magicClip: boolean): void {
  const minSigma = magicClip ? range / Math.min(MAGIC_CLIP_MAX_KERNELS, 1 + nKernels) : 1e-12;
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i];
    sigmas[i] = s < minSigma ? minSigma : s > range ? range : s;
  }
}

/** First index k < n with a[k] >= x (a sorted ascending). */
function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Categorical kernel weights of an observation kernel: its own choice and any other choice. */
export function categoricalKernelWeights(nObs: number, nChoices: number, priorWeight: number): { hit: number; miss: number } {
  const nKernels = nObs + 1;
  const base = priorWeight / nKernels;
  const total = base * nChoices + 1;
  return { hit: (base + 1) / total, miss: base / total };
}

/**
 * A Parzen estimator over some dimensions (all of them for multivariate TPE, one for independent TPE).
 * Kernel k < nObs sits on observation k; kernel nObs is the prior (centre of the range, width = range;
 * uniform over choices).
 */
export class Parzen {
  readonly nObs: number;
  readonly nKernels: number;
  readonly D: number;
  /** mu[k * D + j]: kernel centre in internal coordinates (choice index for categorical dims). */
  readonly mu: Float64Array;
  /** 0.5 / sigma², per kernel and dim (numeric dims). */
  private readonly halfPrec: Float64Array;
  readonly sigma: Float64Array;
  /** Mixture weights, normalised, prior last. */
  readonly weights: Float64Array;
  private readonly cumWeights: Float64Array;
  /** Upper bound of each kernel's log term: log w + constant parts of every dim. */
  private readonly base: Float64Array;
  private readonly contIdx: Int32Array;
  private readonly discIdx: Int32Array;
  private readonly catIdx: Int32Array;
  /** log(hit) − log(miss) per categorical dim (the cost of not matching the kernel's choice). */
  private readonly catPenalty: Float64Array;
  private readonly catHit: Float64Array;
  /** The first continuous dim (−1: none): kernels are sorted by their centre in it. */
  private readonly lead: number;
  /** Kernel centres in the lead dim, contiguous, for bisection. */
  private readonly leadMu: Float64Array;
  /** Largest `base` among observation kernels and largest bandwidth in the lead dim: together they bound where a kernel can matter. */
  private readonly maxBase: number;
  private readonly maxSigma: number;

  constructor(
    readonly dims: readonly Dim[],
    /** Observations, row-major nObs × dims.length, internal coordinates. */
    obs: Float64Array,
    nObs: number,
    options: ParzenOptions,
    /** Number of parameters of the whole search space (unused since bandwidths are per dim; kept for callers). */
    _nParams: number,
  ) {
    const D = dims.length;
    this.D = D;
    this.nObs = nObs;
    const nK = nObs + 1;
    this.nKernels = nK;
    // Bandwidths per numeric dim, in observation order. Kernels are then stored sorted by their centre in
    // the first continuous dim (the lead), so the log-density only visits kernels near a point along it.
    const colSigmas: Array<Float64Array | null> = [];
    let perm: Uint32Array | null = null;
    let lead = -1;
    const column = new Float64Array(nObs);
    for (let j = 0; j < D; j++) {
      const dim = dims[j];
      if (dim.kind === 'cat') {
        colSigmas.push(null);
        continue;
      }
      for (let k = 0; k < nObs; k++) column[k] = obs[k * D + j];
      const sk = sortedUnivariateKernels(column, nObs, dim.lo, dim.hi, options);
      const sig = new Float64Array(nObs);
      for (let k = 0; k < nObs; k++) sig[sk.order[k]] = sk.sigmas[k];
      colSigmas.push(sig);
      if (lead < 0 && dim.kind === 'cont') {
        lead = j;
        perm = sk.order;
      }
    }
    // Without a continuous dim, a discrete one leads (its window is widened by half a step).
    if (lead < 0) {
      for (let j = 0; j < D && lead < 0; j++) {
        if (dims[j].kind !== 'disc') continue;
        for (let k = 0; k < nObs; k++) column[k] = obs[k * D + j];
        lead = j;
        perm = argsortInRange(column, nObs, dims[j].lo, dims[j].hi);
      }
    }
    this.lead = lead;
    const rawW = defaultWeights(nObs, new Float64Array(nK));
    const w = new Float64Array(nK);
    for (let k = 0; k < nObs; k++) w[k] = rawW[perm ? perm[k] : k];
    w[nObs] = options.priorWeight;
    let total = 0;
    for (let k = 0; k < nK; k++) total += w[k];
    for (let k = 0; k < nK; k++) w[k] /= total;
    this.weights = w;
    const cum = new Float64Array(nK);
    let acc = 0;
    for (let k = 0; k < nK; k++) cum[k] = acc += w[k];
    cum[nK - 1] = 1;
    this.cumWeights = cum;

    this.mu = new Float64Array(nK * D);
    this.sigma = new Float64Array(nK * D);
    this.halfPrec = new Float64Array(nK * D);
    const base = new Float64Array(nK);
    // Most weights are equal (the newest 25 and all of a small set): reuse the last log.
    let lastW = NaN;
    let lastLogW = 0;
    for (let k = 0; k < nK; k++) {
      if (w[k] !== lastW) {
        lastW = w[k];
        lastLogW = Math.log(lastW);
      }
      base[k] = lastLogW;
    }
    const cont: number[] = [];
    const disc: number[] = [];
    const cat: number[] = [];
    this.catPenalty = new Float64Array(D);
    this.catHit = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      const dim = dims[j];
      for (let k = 0; k < nObs; k++) this.mu[k * D + j] = obs[(perm ? perm[k] : k) * D + j];
      if (dim.kind === 'cat') {
        cat.push(j);
        const C = dim.choices.length;
        this.mu[nObs * D + j] = -1;
        const { hit, miss } = categoricalKernelWeights(nObs, C, options.priorWeight);
        // The log term's upper bound assumes a hit; a miss subtracts the penalty.
        for (let k = 0; k < nObs; k++) base[k] += Math.log(hit);
        base[nObs] += -Math.log(C);
        this.catPenalty[j] = Math.log(hit) - Math.log(miss);
        this.catHit[j] = hit;
        continue;
      }
      (dim.kind === 'cont' ? cont : disc).push(j);
      const range = dim.hi - dim.lo;
      const sigOrig = colSigmas[j] as Float64Array;
      const sigmas = new Float64Array(nObs);
      for (let k = 0; k < nObs; k++) sigmas[k] = sigOrig[perm ? perm[k] : k];
      this.mu[nObs * D + j] = 0.5 * (dim.lo + dim.hi);
      // Many bandwidths sit at the magic clip: reuse the last log.
      let lastS = NaN;
      let lastLogS = 0;
      for (let k = 0; k < nK; k++) {
        const s = k < nObs ? sigmas[k] : range;
        const m = this.mu[k * D + j];
        this.sigma[k * D + j] = s;
        this.halfPrec[k * D + j] = 0.5 / (s * s);
        const a = (dim.lo - m) / s;
        const b = (dim.hi - m) / s;
        // Kernels far from both ends lose no mass to the truncation (most of them, once n is large).
        const lz = a < -TRUNCATION_FREE && b > TRUNCATION_FREE ? 0 : logGaussMass(a, b);
        if (s !== lastS) {
          lastS = s;
          lastLogS = Math.log(s);
        }
        base[k] -= dim.kind === 'cont' ? lastLogS + LOG_SQRT_2PI + lz : lz;
      }
    }
    this.base = base;
    let maxBase = -Infinity;
    let maxSigma = 0;
    this.leadMu = new Float64Array(nObs);
    for (let k = 0; k < nObs; k++) {
      if (base[k] > maxBase) maxBase = base[k];
      if (lead >= 0) {
        this.leadMu[k] = this.mu[k * D + lead];
        if (this.sigma[k * D + lead] > maxSigma) maxSigma = this.sigma[k * D + lead];
      }
    }
    this.maxBase = maxBase;
    this.maxSigma = maxSigma;
    this.contIdx = Int32Array.from(cont);
    this.discIdx = Int32Array.from(disc);
    this.catIdx = Int32Array.from(cat);
  }

  /** Draws `count` points (row-major count × D, internal coordinates, discrete dims on their grid). */
  sample(rng: Rng, count: number): Float64Array {
    const D = this.D;
    const out = new Float64Array(count * D);
    for (let i = 0; i < count; i++) {
      const u = rng.next();
      let a = 0;
      let b = this.nKernels - 1;
      while (a < b) {
        const m = (a + b) >>> 1;
        if (this.cumWeights[m] > u) b = m;
        else a = m + 1;
      }
      const k = a;
      for (let j = 0; j < D; j++) {
        const dim = this.dims[j];
        if (dim.kind === 'cat') {
          const C = dim.choices.length;
          const m = this.mu[k * D + j];
          // A kernel's row is (its choice with probability hit − miss) + (uniform with C · miss).
          if (m >= 0 && rng.next() < this.catHit[j] - (1 - this.catHit[j]) / (C - 1)) out[i * D + j] = m;
          else out[i * D + j] = Math.min(C - 1, Math.floor(rng.next() * C));
          continue;
        }
        const x = sampleTruncNorm(rng, this.mu[k * D + j], this.sigma[k * D + j], dim.lo, dim.hi);
        out[i * D + j] = dim.kind === 'disc' ? roundToGrid(dim, x) : x;
      }
    }
    return out;
  }

  /** log density of each row of `points` (count × D) under the mixture. */
  logPdf(points: Float64Array, count: number, out: Float64Array = new Float64Array(count)): Float64Array {
    const D = this.D;
    const nObs = this.nObs;
    const mu = this.mu;
    const hp = this.halfPrec;
    const base = this.base;
    const lead = this.lead;
    if (D === 1 && lead === 0 && this.contIdx.length === 1) {
      // One continuous dimension (independent TPE): the hot loop, kept minimal. See below for the window.
      for (let i = 0; i < count; i++) {
        const x = points[i];
        const dp = x - mu[nObs];
        const tp = base[nObs] - dp * dp * hp[nObs];
        let s = 1;
        const slack = this.maxBase - tp + LOG_CUTOFF;
        if (slack > 0 && nObs > 0) {
          const half = this.maxSigma * Math.sqrt(2 * slack);
          const end = x + half;
          for (let k = lowerBound(mu, nObs, x - half); k < nObs && mu[k] <= end; k++) {
            const d = x - mu[k];
            const e = base[k] - tp - d * d * hp[k];
            if (e > -LOG_CUTOFF) s += Math.exp(e);
          }
        }
        out[i] = tp + Math.log(s);
      }
      return out;
    }
    const cont = this.contIdx;
    const disc = this.discIdx;
    const cat = this.catIdx;
    const leadMu = this.leadMu;
    for (let i = 0; i < count; i++) {
      const row = i * D;
      // Terms are relative to the prior kernel's, which is always there; a kernel whose term falls
      // LOG_CUTOFF below it is skipped. Every per-dim term is ≤ 0 after `base`, so a kernel can only
      // matter if its lead-dim distance alone leaves it above the cutoff: (x − mu)² / 2σ² < base − tp + cut.
      const tp = this.kernelLogTerm(points, row, nObs);
      let s = 1;
      const slack = this.maxBase - tp + LOG_CUTOFF;
      if (slack > 0 && nObs > 0) {
        let kStart = 0;
        let kEnd = nObs;
        let xl = 0;
        if (lead >= 0) {
          xl = points[row + lead];
          const half = this.maxSigma * Math.sqrt(2 * slack) + this.dims[lead].step / 2;
          kStart = lowerBound(leadMu, nObs, xl - half);
          kEnd = lowerBound(leadMu, nObs, xl + half + 1e-300);
          while (kEnd < nObs && leadMu[kEnd] <= xl + half) kEnd++;
        }
        for (let k = kStart; k < kEnd; k++) {
          const kr = k * D;
          let e = base[k] - tp;
          for (let c = 0; c < cont.length && e > -LOG_CUTOFF; c++) {
            const j = cont[c];
            const d = points[row + j] - mu[kr + j];
            e -= d * d * hp[kr + j];
          }
          if (e <= -LOG_CUTOFF) continue;
          for (let c = 0; c < cat.length; c++) {
            const j = cat[c];
            if (points[row + j] !== mu[kr + j]) e -= this.catPenalty[j];
          }
          for (let c = 0; c < disc.length && e > -LOG_CUTOFF; c++) {
            const j = disc[c];
            // The bucket's mass is at most the normal tail beyond its nearest edge: skip the erfc when
            // even that bound leaves the kernel below the cutoff.
            const sig = this.sigma[kr + j];
            const near = Math.abs(points[row + j] - mu[kr + j]) - this.dims[j].step / 2;
            if (near > 0 && e - (0.5 * near * near) / (sig * sig) <= -LOG_CUTOFF) {
              e = -LOG_CUTOFF;
              break;
            }
            e += this.bucketLogMass(j, k, points[row + j]);
          }
          if (e > -LOG_CUTOFF) s += Math.exp(e);
        }
      }
      out[i] = tp + Math.log(s);
    }
    return out;
  }

  /** log N_trunc mass of the grid bucket around x (before dividing by Z, which `base` holds). */
  private bucketLogMass(j: number, k: number, x: number): number {
    const dim = this.dims[j];
    const idx = k * this.D + j;
    const m = this.mu[idx];
    const s = this.sigma[idx];
    const half = dim.step / 2;
    return logGaussMass((x - half - m) / s, (x + half - m) / s);
  }

  /** Full log term of kernel k at the point (used for the prior kernel). */
  private kernelLogTerm(points: Float64Array, row: number, k: number): number {
    const D = this.D;
    let e = this.base[k];
    for (let j = 0; j < D; j++) {
      const dim = this.dims[j];
      if (dim.kind === 'cat') {
        if (k < this.nObs && points[row + j] !== this.mu[k * D + j]) e -= this.catPenalty[j];
      } else if (dim.kind === 'cont') {
        const d = points[row + j] - this.mu[k * D + j];
        e -= d * d * this.halfPrec[k * D + j];
      } else {
        e += this.bucketLogMass(j, k, points[row + j]);
      }
    }
    return e;
  }

  /** Exact log density, for tests: log Σ_k exp(term_k) with no cutoff. */
  logPdfExact(point: Float64Array): number {
    const terms: number[] = [];
    for (let k = 0; k < this.nKernels; k++) terms.push(this.kernelLogTerm(point, 0, k));
    const m = Math.max(...terms);
    return m + Math.log(terms.reduce((s, t) => s + Math.exp(t - m), 0));
  }
}
