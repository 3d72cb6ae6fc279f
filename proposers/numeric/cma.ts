// One CMA-ES run's state and update, in the unit cube: Hansen's CMA-ES with the active update and the
// step-size / covariance constants of CyberAgentAILab/cmaes `_cma.py` (which Optuna's CmaEsSampler
// uses), and its stopping rules. Pure numerics: the proposer (proposers/cmaes.ts) decides what a
// point means and when a generation is told.
import type { Rng } from './rng.js';

const EPS = 1e-8;
const SIGMA_MAX = 1e32;
/** Resamples of an out-of-bounds draw before clipping it (Optuna passes 10 · n). */
const RESAMPLES_PER_DIM = 10;
const TOLFUN = 1e-12;
const TOLXUP = 1e4;
const TOLCONDITION = 1e14;
/** A run over an all-discrete space has converged once every std is below this fraction of a step. */
const DISCRETE_COLLAPSE = 0.05;

/** The state of one CMA-ES run. */
export class Cma {
  readonly n: number;
  readonly lambda: number;
  readonly mu: number;
  readonly weights: Float64Array;
  readonly mueff: number;
  readonly cc: number;
  readonly c1: number;
  readonly cmu: number;
  readonly cs: number;
  readonly ds: number;
  readonly chiN: number;
  mean: Float64Array;
  sigma: number;
  C: Float64Array;
  pc: Float64Array;
  ps: Float64Array;
  B: Float64Array;
  D: Float64Array;
  private eigenValid = false;
  /** Generations told so far in this run. */
  g = 0;
  readonly tolx: number;
  readonly funhistTerm: number;
  readonly funhist: Float64Array;

  constructor(mean: Float64Array, sigma: number, lambda?: number, tolx = 1e-12 * sigma) {
    const n = mean.length;
    this.n = n;
    const lam = lambda ?? 4 + Math.floor(3 * Math.log(n));
    this.lambda = lam;
    const mu = Math.floor(lam / 2);
    this.mu = mu;
    const wp = new Float64Array(lam);
    for (let i = 0; i < lam; i++) wp[i] = Math.log((lam + 1) / 2) - Math.log(i + 1);
    let sp = 0, sp2 = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < lam; i++) {
      if (i < mu) { sp += wp[i]; sp2 += wp[i] * wp[i]; } else { sn += wp[i]; sn2 += wp[i] * wp[i]; }
    }
    const mueff = (sp * sp) / sp2;
    const mueffMinus = sn2 > 0 ? (sn * sn) / sn2 : 0;
    this.mueff = mueff;
    const alphaCov = 2;
    const c1 = alphaCov / ((n + 1.3) ** 2 + mueff);
    const cmu = Math.min(1 - c1 - 1e-8, (alphaCov * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + (alphaCov * mueff) / 2));
    const minAlpha = Math.min(1 + c1 / cmu, 1 + (2 * mueffMinus) / (mueff + 2), (1 - c1 - cmu) / (n * cmu));
    let pos = 0, neg = 0;
    for (let i = 0; i < lam; i++) if (wp[i] > 0) pos += wp[i]; else neg += Math.abs(wp[i]);
    this.weights = new Float64Array(lam);
    for (let i = 0; i < lam; i++) this.weights[i] = wp[i] >= 0 ? wp[i] / pos : (minAlpha / neg) * wp[i];
    this.c1 = c1;
    this.cmu = cmu;
    this.cs = (mueff + 2) / (n + mueff + 5);
    this.ds = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + this.cs;
    this.cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n);
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    this.mean = Float64Array.from(mean);
    this.sigma = sigma;
    this.C = new Float64Array(n * n);
    for (let i = 0; i < n; i++) this.C[i * n + i] = 1;
    this.pc = new Float64Array(n);
    this.ps = new Float64Array(n);
    this.B = new Float64Array(n * n);
    this.D = new Float64Array(n);
    this.tolx = tolx;
    this.funhistTerm = 10 + Math.ceil((30 * n) / lam);
    this.funhist = new Float64Array(this.funhistTerm * 2);
  }

  /** B and D with C = B diag(D²) Bᵀ (cmaes' _eigen_decomposition, by cyclic Jacobi rotations). */
  eigen(): void {
    if (this.eigenValid) return;
    const n = this.n;
    const C = this.C;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) C[i * n + j] = C[j * n + i] = 0.5 * (C[i * n + j] + C[j * n + i]);
    const d2 = new Float64Array(n);
    jacobiEigen(C, n, this.B, d2);
    for (let i = 0; i < n; i++) this.D[i] = Math.sqrt(d2[i] < 0 ? EPS : d2[i]);
    // C = B diag(D²) Bᵀ, as cmaes re-forms it.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += this.B[i * n + k] * this.D[k] * this.D[k] * this.B[j * n + k];
        C[i * n + j] = C[j * n + i] = s;
      }
    }
    this.eigenValid = true;
  }

  /** One draw of N(m, σ² C), resampled while outside [0, 1]ⁿ and clipped after 10 · n tries. */
  sample(rng: Rng): Float64Array {
    this.eigen();
    const n = this.n;
    const x = new Float64Array(n);
    const z = new Float64Array(n);
    for (let attempt = 0; attempt <= RESAMPLES_PER_DIM * n; attempt++) {
      for (let i = 0; i < n; i++) z[i] = rng.normal() * this.D[i];
      let feasible = true;
      for (let i = 0; i < n; i++) {
        let y = 0;
        for (let k = 0; k < n; k++) y += this.B[i * n + k] * z[k];
        x[i] = this.mean[i] + this.sigma * y;
        if (!(x[i] >= 0 && x[i] <= 1)) feasible = false;
      }
      if (feasible) return x;
    }
    for (let i = 0; i < n; i++) x[i] = x[i] < 0 ? 0 : x[i] > 1 ? 1 : x[i];
    return x;
  }

  /** Update with exactly λ solutions (values to minimise). */
  tell(xs: Float64Array[], fs: number[]): void {
    const n = this.n;
    const lam = this.lambda;
    this.g++;
    const order = fs.map((_, i) => i).sort((a, b) => fs[a] - fs[b] || a - b);
    const fi = 2 * (this.g % this.funhistTerm);
    this.funhist[fi] = fs[order[0]];
    this.funhist[fi + 1] = fs[order[lam - 1]];
    this.eigen();
    const B = this.B;
    const D = this.D;
    this.eigenValid = false;
    const ys: Float64Array[] = order.map((i) => {
      const y = new Float64Array(n);
      for (let d = 0; d < n; d++) y[d] = (xs[i][d] - this.mean[d]) / this.sigma;
      return y;
    });
    const yw = new Float64Array(n);
    for (let i = 0; i < this.mu; i++) for (let d = 0; d < n; d++) yw[d] += this.weights[i] * ys[i][d];
    for (let d = 0; d < n; d++) this.mean[d] += this.sigma * yw[d];
    // C^(−1/2) y = B D⁻¹ Bᵀ y
    const invSqrt = (y: Float64Array): Float64Array => {
      const t = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        let s = 0;
        for (let d = 0; d < n; d++) s += B[d * n + k] * y[d];
        t[k] = s / D[k];
      }
      const r = new Float64Array(n);
      for (let d = 0; d < n; d++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += B[d * n + k] * t[k];
        r[d] = s;
      }
      return r;
    };
    const c2yw = invSqrt(yw);
    const csn = Math.sqrt(this.cs * (2 - this.cs) * this.mueff);
    let psNorm2 = 0;
    for (let d = 0; d < n; d++) {
      this.ps[d] = (1 - this.cs) * this.ps[d] + csn * c2yw[d];
      psNorm2 += this.ps[d] * this.ps[d];
    }
    const psNorm = Math.sqrt(psNorm2);
    this.sigma *= Math.exp((this.cs / this.ds) * (psNorm / this.chiN - 1));
    if (this.sigma > SIGMA_MAX) this.sigma = SIGMA_MAX;
    const hLeft = psNorm / Math.sqrt(1 - Math.pow(1 - this.cs, 2 * (this.g + 1)));
    const hSigma = hLeft < (1.4 + 2 / (n + 1)) * this.chiN ? 1 : 0;
    const ccn = Math.sqrt(this.cc * (2 - this.cc) * this.mueff);
    for (let d = 0; d < n; d++) this.pc[d] = (1 - this.cc) * this.pc[d] + hSigma * ccn * yw[d];
    const wio = new Float64Array(lam);
    let wsum = 0;
    for (let i = 0; i < lam; i++) {
      const w = this.weights[i];
      wsum += w;
      if (w >= 0) wio[i] = w;
      else {
        const c = invSqrt(ys[i]);
        let nn = 0;
        for (let d = 0; d < n; d++) nn += c[d] * c[d];
        wio[i] = (w * n) / (nn + EPS);
      }
    }
    const deltaH = (1 - hSigma) * this.cc * (2 - this.cc);
    const keep = 1 + this.c1 * deltaH - this.c1 - this.cmu * wsum;
    const C = this.C;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b <= a; b++) {
        let rm = 0;
        for (let i = 0; i < lam; i++) rm += wio[i] * ys[i][a] * ys[i][b];
        const v = keep * C[a * n + b] + this.c1 * this.pc[a] * this.pc[b] + this.cmu * rm;
        C[a * n + b] = C[b * n + a] = v;
      }
    }
  }

  /** cmaes' should_stop, plus a collapse test for all-discrete spaces (`stepNorm[i] > 0` = discrete). */
  shouldStop(stepNorm: Float64Array): boolean {
    this.eigen();
    const n = this.n;
    const dC = new Float64Array(n);
    for (let i = 0; i < n; i++) dC[i] = this.C[i * n + i];
    if (this.g > this.funhistTerm) {
      let lo = Infinity, hi = -Infinity;
      for (const v of this.funhist) { if (v < lo) lo = v; if (v > hi) hi = v; }
      if (hi - lo < TOLFUN) return true;
    }
    let small = true;
    for (let i = 0; i < n; i++) if (!(this.sigma * Math.sqrt(dC[i]) < this.tolx && Math.abs(this.sigma * this.pc[i]) < this.tolx)) small = false;
    if (small) return true;
    let maxD = 0, minD = Infinity;
    for (let i = 0; i < n; i++) { if (this.D[i] > maxD) maxD = this.D[i]; if (this.D[i] < minD) minD = this.D[i]; }
    if (this.sigma * maxD > TOLXUP) return true;
    for (let i = 0; i < n; i++) if (this.mean[i] === this.mean[i] + 0.2 * this.sigma * Math.sqrt(dC[i])) return true;
    const ax = this.g % n;
    let noEffect = true;
    for (let i = 0; i < n; i++) if (this.mean[i] !== this.mean[i] + 0.1 * this.sigma * this.D[ax] * this.B[i * n + ax]) noEffect = false;
    if (noEffect) return true;
    if (maxD / minD > TOLCONDITION) return true;
    let collapsed = true;
    for (let i = 0; i < n; i++) if (!(stepNorm[i] > 0 && this.sigma * Math.sqrt(dC[i]) < DISCRETE_COLLAPSE * stepNorm[i])) collapsed = false;
    return collapsed;
  }
}

/** Eigen-decomposition of a symmetric n×n matrix by cyclic Jacobi: A = V diag(d) Vᵀ (V column-major eigenvectors in V[i*n+k]). */
export function jacobiEigen(A: Float64Array, n: number, V: Float64Array, d: Float64Array): void {
  const a = Float64Array.from(A);
  V.fill(0);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] * a[p * n + p];
      for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
}
