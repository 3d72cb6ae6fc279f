// CMA-ES (Hansen's, with the active update and the step-size / covariance constants of
// CyberAgentAILab/cmaes `_cma.py`, which Optuna's CmaEsSampler uses), in the unit cube: every numeric
// dimension is mapped to [0, 1] (log dimensions in log space; int and stepped ones widened by half a
// step and rounded on the way out, as Optuna's _SearchSpaceTransform does). Start: the centre, sigma0 =
// 1/6 of each range. Restarts: IPOP (double the population from a random mean) or BIPOP when a run stops.
// Categorical dimensions are sampled by independent TPE (see docs/proposers.md).
//
// Resume without a tag in the journal: generation g's member i is a pure function of
// (seed, restart, generation, i) and of the state, and the state is a pure function of the scores of
// the earlier generations. Replaying the history therefore matches each trial to the member that
// proposed it (by its numeric parameters), tells each generation once its first λ scored members are
// known, and reaches the same state as the process that proposed them. A cache keeps the replay
// incremental; a cold instance replays from the start and gets the same answer.
import { z } from 'zod';
import type { Params, Proposal, Proposer, ProposerContext, Space, TrialView } from '../src/types.js';
import { Rng, hashSeed } from '../src/rng.js';
import { buildSpaceModel, toExternal, type SpaceModel } from './parzen.js';
import { paramsKey } from '../src/space.js';
import { RowCache, TPE_DEFAULTS, TpeProposer, busyKeys, suggestCategoricalTpe } from './tpe.js';

const EPS = 1e-8;
const SIGMA_MAX = 1e32;
/** Resamples of an out-of-bounds draw before clipping it (Optuna passes 10 · n). */
const RESAMPLES_PER_DIM = 10;
/** Extra draws to avoid two members of one generation landing on the same grid point. */
const DEDUP_DRAWS = 10;
/** Redraws of the categorical part of a proposal that repeats a pending point. */
const MAX_CATEGORICAL_REDRAWS = 50;
const TOLFUN = 1e-12;
const TOLXUP = 1e4;
const TOLCONDITION = 1e14;
/** A run over an all-discrete space has converged once every std is below this fraction of a step. */
const DISCRETE_COLLAPSE = 0.05;

export const cmaesOptions = z
  .object({
    /** Population per generation (λ); default 4 + ⌊3 ln n⌋. */
    popsize: z.number().int().min(2).max(100_000).optional(),
    /** Initial step size as a fraction of each (normalised) range. */
    sigma0: z.number().gt(0).max(1).default(1 / 6),
    /** What to do when a run converges: IPOP (population × inc_popsize), BIPOP, or keep sampling the converged run. */
    restart: z.enum(['ipop', 'bipop', 'none']).default('ipop'),
    inc_popsize: z.number().int().min(2).max(10).default(2),
    /**
     * A run has converged when every coordinate's std (and evolution path) is below this, in units of the
     * dimension's range. cmaes uses 1e-12 · sigma0, which spends hundreds of trials polishing a
     * local optimum to a precision no hyperparameter needs; 1e-6 restarts much sooner.
     */
    tolx: z.number().gt(0).max(0.1).default(1e-6),
    /** Random (uniform) trials for the categorical dimensions' TPE before it models them. */
    categorical_startup: z.number().int().min(0).max(100_000).default(10),
  })
  .strict();
export type CmaesOptions = z.infer<typeof cmaesOptions>;
const CMAES_DEFAULTS: CmaesOptions = cmaesOptions.parse({});

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

interface Member {
  /** Point in the unit cube, as drawn (before rounding): what the update uses. */
  x: Float64Array;
  /** Numeric parameters, snapped. */
  params: Params;
  key: string;
}

/** One CMA-ES run and where it stands. */
interface Run {
  cma: Cma;
  seed: number;
  restart: number;
  /** Evaluations told in BIPOP's large and small regimes, and the large regime's population. */
  largeEvals: number;
  smallEvals: number;
  largeLambda: number;
  /** Members drawn so far for the current generation. */
  members: Member[];
}

interface Replay {
  fingerprint: string;
  run: Run;
  /** Trials before this index (and the permanent ones) cannot belong to the current generation. */
  floor: number;
  /** Trials of earlier generations (history indices). */
  permanent: Set<number>;
  /** numeric key → history indices, ascending. */
  keyIndex: Map<string, number[]>;
  scanned: number;
  firstId: number;
  lastId: number;
}

const PENDING = 0;
const SCORED = 1;
const FAILED = 2;

function trialState(t: TrialView): number {
  if (t.status === 'queued' || t.status === 'running') return PENDING;
  if ((t.status === 'keep' || t.status === 'discard') && t.score !== null && Number.isFinite(t.score)) return SCORED;
  return FAILED;
}

export class CmaesProposer implements Proposer {
  readonly name = 'cmaes';
  readonly options: CmaesOptions;
  private model: SpaceModel | null = null;
  /** Indices (into model.dims) of the dims CMA-ES searches, and of the categorical ones. */
  private numCols: number[] = [];
  private catCols: number[] = [];
  private stepNorm = new Float64Array(0);
  private replay: Replay | null = null;
  private readonly rows = new RowCache();
  private fallback: TpeProposer | null = null;

  constructor(options: Partial<CmaesOptions> = {}) {
    this.options = { ...CMAES_DEFAULTS, ...options };
  }

  private setSpace(space: Space): SpaceModel {
    const fp = JSON.stringify(space);
    if (this.model && this.model.fingerprint === fp) return this.model;
    const model = buildSpaceModel(space);
    this.model = model;
    this.numCols = [];
    this.catCols = [];
    model.dims.forEach((d, j) => (d.kind === 'cat' ? this.catCols : this.numCols).push(j));
    this.stepNorm = Float64Array.from(this.numCols.map((j) => {
      const d = model.dims[j];
      return d.kind === 'disc' ? d.step / (d.hi - d.lo) : 0;
    }));
    this.replay = null;
    return model;
  }

  async propose(ctx: ProposerContext, k: number): Promise<Proposal[]> {
    return this.proposeSync(ctx, k);
  }

  proposeSync(ctx: Pick<ProposerContext, 'space' | 'goal' | 'history' | 'seed' | 'proposed'>, k: number): Proposal[] {
    const model = this.setSpace(ctx.space);
    if (this.numCols.length === 0) {
      // Nothing numeric to search: the categorical policy covers every dimension.
      this.fallback ??= new TpeProposer({ n_startup: this.options.categorical_startup });
      return this.fallback.proposeSync(ctx, k);
    }
    const rp = this.advance(ctx);
    const run = rp.run;
    // Members of the current generation already in the history.
    const proposed = this.matchGeneration(rp, ctx.history, null);
    const out: Proposal[] = [];
    const batch: Params[] = [];
    // Points that must not be proposed twice: pending trials and this batch (see TpeProposer).
    const busy = this.catCols.length > 0 ? busyKeys(ctx.history, false) : new Set<string>();
    for (let j = 0; j < k; j++) {
      const member = this.member(run, proposed.length + j);
      const params: Params = {};
      for (const [name, v] of model.fixed) params[name] = v;
      Object.assign(params, member.params);
      if (this.catCols.length > 0) {
        const rng = new Rng(hashSeed(ctx.seed, 'cmaes-cat', (ctx.proposed ?? ctx.history.length) + j));
        const values = suggestCategoricalTpe(model, this.catCols, ctx.history, ctx.goal, rng, this.rows, batch, {
          ...TPE_DEFAULTS,
          n_startup: this.options.categorical_startup,
        });
        this.catCols.forEach((c, i) => (params[model.dims[c].name] = values[i]));
        // Two members on the same grid point (small int dims): vary the categorical part instead.
        for (let t = 0; t < MAX_CATEGORICAL_REDRAWS && busy.has(paramsKey(params)); t++) {
          for (const c of this.catCols) params[model.dims[c].name] = rng.pick(model.dims[c].choices);
        }
        busy.add(paramsKey(params));
      }
      // Keep the space's key order.
      const ordered: Params = {};
      for (const name of Object.keys(ctx.space)) ordered[name] = params[name];
      batch.push(ordered);
      out.push({ kind: 'params', params: ordered });
    }
    return out;
  }

  /** The state of the search after every generation the history completes. */
  private advance(ctx: Pick<ProposerContext, 'goal' | 'history' | 'seed'>): Replay {
    const h = ctx.history;
    const fingerprint = `${this.model!.fingerprint}|${ctx.seed}|${ctx.goal}|${JSON.stringify(this.options)}`;
    let rp = this.replay;
    const valid =
      rp !== null &&
      rp.fingerprint === fingerprint &&
      h.length >= rp.scanned &&
      (rp.scanned === 0 || (h[0].id === rp.firstId && h[rp.scanned - 1].id === rp.lastId));
    if (!valid) {
      rp = {
        fingerprint,
        run: this.newRun(ctx.seed, 0, null),
        floor: -1,
        permanent: new Set(),
        keyIndex: new Map(),
        scanned: 0,
        firstId: h.length ? h[0].id : -1,
        lastId: -1,
      };
    }
    const replay = rp!;
    for (let i = replay.scanned; i < h.length; i++) {
      const key = this.trialKey(h[i].params);
      if (key === null) continue;
      const list = replay.keyIndex.get(key);
      if (list) list.push(i);
      else replay.keyIndex.set(key, [i]);
    }
    replay.scanned = h.length;
    replay.lastId = h.length ? h[h.length - 1].id : -1;
    if (h.length) replay.firstId = h[0].id;
    this.replay = replay;
    const sign = ctx.goal === 'maximize' ? -1 : 1;
    for (;;) {
      const told: Array<{ index: number; member: Member }> = [];
      const matched = this.matchGeneration(replay, h, told);
      if (told.length < replay.run.cma.lambda) break;
      const cma = replay.run.cma;
      cma.tell(told.map((t) => t.member.x), told.map((t) => sign * (h[t.index].score as number)));
      for (const m of matched) replay.permanent.add(m);
      replay.floor = Math.max(...told.map((t) => t.index));
      replay.run.members = [];
      this.afterTell(replay.run, ctx.seed);
    }
    return replay;
  }

  /**
   * Finds the current generation's members in the history (in member order; each trial used once).
   * With `told`, also collects the first λ scored members if every earlier member is final.
   * Returns the matched history indices.
   */
  private matchGeneration(rp: Replay, h: readonly TrialView[], told: Array<{ index: number; member: Member }> | null): number[] {
    const used = new Set<number>();
    const matched: number[] = [];
    let blocked = false;
    for (let i = 0; ; i++) {
      const member = this.member(rp.run, i);
      const list = rp.keyIndex.get(member.key);
      let found = -1;
      if (list) {
        for (const idx of list) {
          if (idx > rp.floor && !rp.permanent.has(idx) && !used.has(idx)) {
            found = idx;
            break;
          }
        }
      }
      if (found < 0) break;
      used.add(found);
      matched.push(found);
      if (told && !blocked && told.length < rp.run.cma.lambda) {
        const s = trialState(h[found]);
        if (s === PENDING) blocked = true;
        else if (s === SCORED) told.push({ index: found, member });
      }
    }
    if (told && blocked && told.length < rp.run.cma.lambda) told.length = 0;
    return matched;
  }

  /** Member i of the run's current generation: a pure function of (seed, restart, generation, i, state). */
  private member(run: Run, i: number): Member {
    while (run.members.length <= i) {
      const idx = run.members.length;
      const rng = new Rng(hashSeed(run.seed, 'cmaes', run.restart, run.cma.g, idx));
      let m = this.drawMember(run, rng);
      for (let t = 0; t < DEDUP_DRAWS && run.members.some((o) => o.key === m.key); t++) m = this.drawMember(run, rng);
      run.members.push(m);
    }
    return run.members[i];
  }

  private drawMember(run: Run, rng: Rng): Member {
    const model = this.model!;
    const x = run.cma.sample(rng);
    const params: Params = {};
    const parts: string[] = [];
    for (let c = 0; c < this.numCols.length; c++) {
      const dim = model.dims[this.numCols[c]];
      const v = toExternal(dim, dim.lo + x[c] * (dim.hi - dim.lo));
      params[dim.name] = v;
      parts.push(String(v));
    }
    return { x, params, key: parts.join(',') };
  }

  private trialKey(params: Params): string | null {
    const model = this.model!;
    const parts: string[] = [];
    for (const c of this.numCols) {
      const v = params[model.dims[c].name];
      if (v === undefined) return null;
      parts.push(String(v));
    }
    return parts.join(',');
  }

  private newRun(seed: number, restart: number, prev: Run | null): Run {
    const n = this.numCols.length;
    const o = this.options;
    const lambda0 = o.popsize ?? 4 + Math.floor(3 * Math.log(n));
    if (!prev) {
      const mean = new Float64Array(n).fill(0.5);
      return { cma: new Cma(mean, o.sigma0, lambda0, o.tolx), seed, restart, largeEvals: 0, smallEvals: 0, largeLambda: lambda0, members: [] };
    }
    const rng = new Rng(hashSeed(seed, 'cmaes-restart', restart));
    const mean = new Float64Array(n);
    for (let i = 0; i < n; i++) mean[i] = rng.next();
    let lambda = prev.cma.lambda * o.inc_popsize;
    let sigma = o.sigma0;
    let largeLambda = prev.largeLambda;
    if (o.restart === 'bipop') {
      if (prev.smallEvals < prev.largeEvals) {
        // Small regime: a population between λ0 and half the large one, and a smaller step.
        const u = rng.next();
        lambda = Math.max(2, Math.floor(lambda0 * Math.pow((0.5 * largeLambda) / lambda0, u * u)));
        sigma = o.sigma0 * Math.pow(10, -2 * rng.next());
      } else {
        largeLambda *= o.inc_popsize;
        lambda = largeLambda;
      }
    }
    return { cma: new Cma(mean, sigma, lambda, o.tolx), seed, restart, largeEvals: prev.largeEvals, smallEvals: prev.smallEvals, largeLambda, members: [] };
  }

  private afterTell(run: Run, seed: number): void {
    const o = this.options;
    if (o.restart === 'bipop') {
      if (run.restart > 0 && run.cma.lambda < run.largeLambda) run.smallEvals += run.cma.lambda;
      else run.largeEvals += run.cma.lambda;
    }
    if (o.restart !== 'none' && this.replay && run.cma.shouldStop(this.stepNorm)) {
      this.replay.run = this.newRun(seed, run.restart + 1, run);
    }
  }
}
