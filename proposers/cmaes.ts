// CMA-ES (Hansen's, with the active update and the step-size / covariance constants of
// CyberAgentAILab/cmaes `_cma.py`, which Optuna's CmaEsSampler uses), in the unit cube: every numeric
// dimension is mapped to [0, 1] (log dimensions in log space; int and stepped ones widened by half a
// step and rounded on the way out, as Optuna's _SearchSpaceTransform does). Start: the centre, sigma0 =
// 1/6 of each range. Restarts: IPOP (double the population from a random mean) or BIPOP when a run stops.
// Categorical dimensions are sampled by independent TPE (see docs/proposers.md). One run's update and
// stopping rules are numeric/cma.ts; this file is the proposer around it.
//
// Resume without a tag in the journal: generation g's member i is a pure function of
// (seed, restart, generation, i) and of the state, and the state is a pure function of the scores of
// the earlier generations. Replaying the history therefore matches each trial to the member that
// proposed it (by its numeric parameters), tells each generation once its first λ scored members are
// known, and reaches the same state as the process that proposed them. A cache keeps the replay
// incremental; a cold instance replays from the start and gets the same answer.
import { z } from 'zod';
import type { Params, Proposal, ProposeResult, Proposer, ProposerContext, Space, TrialView } from '../src/types.js';
import { Rng, hashSeed } from './numeric/rng.js';
import { busyKeys, paramsKey } from './numeric/space.js';
import { RowCache, buildSpaceModel, toExternal, type SpaceModel } from './numeric/space-model.js';
import { Cma } from './numeric/cma.js';
import { TPE_DEFAULTS, TpeProposer, suggestCategoricalTpe } from './tpe.js';

/** Extra draws to avoid two members of one generation landing on the same grid point. */
const DEDUP_DRAWS = 10;
/** Redraws of the categorical part of a proposal that repeats a pending point. */
const MAX_CATEGORICAL_REDRAWS = 50;

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

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    return { proposals: this.proposeSync(ctx, k) };
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
