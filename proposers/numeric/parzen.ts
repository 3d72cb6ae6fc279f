// Parzen estimators for TPE, as Optuna 4.x defines them (optuna/samplers/_tpe/parzen_estimator.py):
// a mixture of one kernel per observation plus a prior kernel, truncated-normal kernels for numeric
// dimensions (discretised into buckets for int and stepped ones), categorical kernels for choices.
// Everything lives in flat Float64Arrays; the log-density loop skips kernels that cannot matter.
import type { Rng } from './rng.js';
import type { Dim } from './space-model.js';
import { roundToGrid } from './space-model.js';
import { argsortInRange, categoricalKernelWeights, defaultWeights, sortedUnivariateKernels, type ParzenOptions } from './parzen-kernels.js';
import { LOG_SQRT_2PI, logGaussMass, sampleTruncNorm } from './parzen-math.js';

/**
 * A kernel whose log term is this far below the prior kernel's term adds less than e^−30 (1e-13)
 * relative to the density, so its exp() is skipped.
 */
const LOG_CUTOFF = 30;
/** Φ(−8.3) < 5.3e-17: a kernel this many bandwidths inside both ends is not truncated. */
const TRUNCATION_FREE = 8.3;

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
