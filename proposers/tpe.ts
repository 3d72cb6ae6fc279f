// TPE: the Tree-structured Parzen Estimator as Optuna 4.x defines it (optuna/samplers/_tpe/sampler.py).
// Startup trials are random; then the finished trials are split into a good set (the best
// min(⌈γ·n⌉, 25)) and the rest, a Parzen mixture is fitted to each, and of n_ei_candidates draws from
// the good mixture the one maximising log l(x) − log g(x) is proposed. Queued and running trials, and
// earlier proposals of the same batch, join the bad set (constant liar), so k slots get k points.
// Stateless: every draw comes from hashSeed(seed, 'tpe', trial index), so resume proposes the same.
import { z } from 'zod';
import type { Goal, ParamValue, Params, Proposal, ProposeResult, Proposer, ProposerContext, Space, TrialView } from '../src/types.js';
import { Rng, hashSeed } from './numeric/rng.js';
import { busyKeys, paramsKey, spaceSize } from './numeric/space.js';
import { RowCache, buildSpaceModel, randomRow, rowToParams, toExternal, type Dim, type SpaceModel } from './numeric/space-model.js';
import type { ParzenOptions } from './numeric/parzen-kernels.js';
import { Parzen } from './numeric/parzen.js';
import { collectObservations, pushPending, splitObservations, type Observations } from './tpe-observations.js';

/** Draws per slot before accepting that a small discrete space has no unseen point left. */
const MAX_DRAWS_PER_POINT = 200;

export const tpeOptions = z
  .object({
    /** Random trials before the model is used (Optuna's n_startup_trials). */
    n_startup: z.number().int().min(0).max(100_000).default(10),
    /** Candidates drawn from the good model per proposal. */
    n_ei_candidates: z.number().int().min(1).max(10_000).default(24),
    /** Fraction of finished trials in the good set ... */
    gamma: z.number().gt(0).max(1).default(0.1),
    /** ... capped at this many (Optuna's default_gamma: min(⌈0.1·n⌉, 25)). */
    gamma_cap: z.number().int().min(1).max(100_000).default(25),
    /** Weight of the prior kernel relative to one observation. */
    prior_weight: z.number().gt(0).max(1e6).default(1),
    /** Joint Parzen over all parameters instead of one per parameter (Optuna 5.0's default, as here). */
    multivariate: z.boolean().default(true),
    /** Queued/running trials and the batch's earlier proposals count as bad, so parallel slots spread out. */
    constant_liar: z.boolean().default(true),
    /** Optuna's consider_endpoints (bandwidth of the outermost kernels also looks at the range's ends). */
    consider_endpoints: z.boolean().default(false),
  })
  .strict();
export type TpeOptions = z.infer<typeof tpeOptions>;

export const TPE_DEFAULTS: TpeOptions = tpeOptions.parse({});

/** Number of trials in the good set: min(⌈γ·n⌉, cap), as Optuna's default_gamma. */
export function gammaCount(n: number, gamma: number, cap: number): number {
  return Math.min(Math.ceil(gamma * n), cap);
}

/** Gathers the listed observations' columns `cols` into a row-major matrix, dropping rows with a missing value. */
function gather(obs: Observations, which: Int32Array, cols: readonly number[]): { data: Float64Array; n: number } {
  const D = cols.length;
  const data = new Float64Array(which.length * D);
  let n = 0;
  for (let i = 0; i < which.length; i++) {
    const r = obs.rows[which[i]];
    let ok = true;
    for (let j = 0; j < D; j++) {
      const v = r[cols[j]];
      if (v !== v) {
        ok = false;
        break;
      }
      data[n * D + j] = v;
    }
    if (ok) n++;
  }
  return { data, n };
}

function parzenOptions(o: TpeOptions): ParzenOptions {
  return { priorWeight: o.prior_weight, multivariate: o.multivariate, considerEndpoints: o.consider_endpoints, magicClip: true };
}

/** Argmax of l − g over the candidates; ties keep the first. */
function argmaxRatio(ll: Float64Array, lg: Float64Array, count: number): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = ll[i] - lg[i];
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/**
 * One TPE suggestion for the model's dims `cols` (indices into model.dims), in internal coordinates.
 * `below` is fixed for a batch; `above` grows with the batch's earlier proposals.
 */
export function suggestTpe(
  model: SpaceModel,
  cols: readonly number[],
  obs: Observations,
  below: Int32Array,
  above: Int32Array,
  options: TpeOptions,
  rng: Rng,
  belowCache?: Map<string, Parzen>,
): Float64Array {
  const po = parzenOptions(options);
  const nParams = model.dims.length + model.fixed.length;
  const out = new Float64Array(cols.length);
  const m = options.n_ei_candidates;
  const getBelow = (key: string, dims: Dim[], cs: readonly number[]): Parzen => {
    let p = belowCache?.get(key);
    if (!p) {
      const g = gather(obs, below, cs);
      p = new Parzen(dims, g.data, g.n, po, nParams);
      belowCache?.set(key, p);
    }
    return p;
  };
  if (options.multivariate) {
    const dims = cols.map((c) => model.dims[c]);
    const l = getBelow('mv', dims, cols);
    const ga = gather(obs, above, cols);
    const g = new Parzen(dims, ga.data, ga.n, po, nParams);
    const cand = l.sample(rng, m);
    const best = argmaxRatio(l.logPdf(cand, m), g.logPdf(cand, m), m);
    for (let j = 0; j < cols.length; j++) out[j] = cand[best * cols.length + j];
    return out;
  }
  for (let j = 0; j < cols.length; j++) {
    const dims = [model.dims[cols[j]]];
    const cs = [cols[j]];
    const l = getBelow(String(cols[j]), dims, cs);
    const ga = gather(obs, above, cs);
    const g = new Parzen(dims, ga.data, ga.n, po, nParams);
    const cand = l.sample(rng, m);
    out[j] = cand[argmaxRatio(l.logPdf(cand, m), g.logPdf(cand, m), m)];
  }
  return out;
}

export class TpeProposer implements Proposer {
  readonly name: string = 'tpe';
  readonly options: TpeOptions;
  private readonly rows = new RowCache();
  private model: SpaceModel | null = null;

  constructor(options: Partial<TpeOptions> = {}) {
    this.options = { ...TPE_DEFAULTS, ...options };
  }

  private modelFor(space: Space): SpaceModel {
    const fp = JSON.stringify(space);
    if (!this.model || this.model.fingerprint !== fp) this.model = buildSpaceModel(space);
    return this.model;
  }

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    return { proposals: this.proposeSync(ctx, k) };
  }

  proposeSync(ctx: Pick<ProposerContext, 'space' | 'goal' | 'history' | 'seed' | 'proposed'>, k: number): Proposal[] {
    const model = this.modelFor(ctx.space);
    const o = this.options;
    const size = spaceSize(ctx.space);
    const finite = Number.isFinite(size);
    const busy = busyKeys(ctx.history, finite);
    const obs = collectObservations(model, ctx.history, ctx.goal, o.constant_liar, this.rows, k);
    const cols = model.dims.map((_, j) => j);
    const useModel = obs.finished >= o.n_startup && obs.finished > 0 && model.dims.length > 0;
    let split = useModel ? splitObservations(obs, gammaCount(obs.finished, o.gamma, o.gamma_cap)) : null;
    const belowCache = new Map<string, Parzen>();
    const out: Proposal[] = [];
    for (let j = 0; j < k; j++) {
      if (finite && busy.size >= size) break; // every point of a finite space has been tried
      const index = (ctx.proposed ?? ctx.history.length) + j; // the proposal count moves on when one is dropped
      const rng = new Rng(hashSeed(ctx.seed, 'tpe', index));
      let row = split ? suggestTpe(model, cols, obs, split.below, split.above, o, rng, belowCache) : randomRow(model, rng);
      let params = rowToParams(model, row);
      let key = paramsKey(params);
      for (let draw = 1; busy.has(key) && draw < MAX_DRAWS_PER_POINT; draw++) {
        row = randomRow(model, rng);
        params = rowToParams(model, row);
        key = paramsKey(params);
      }
      if (busy.has(key)) break;
      busy.add(key);
      out.push({ kind: 'params', params });
      if (split && o.constant_liar && j + 1 < k) {
        pushPending(obs, this.rows.row(model, params));
        split = { below: split.below, above: appendIndex(split.above, obs.count - 1) };
      }
    }
    return out;
  }
}

function appendIndex(a: Int32Array, v: number): Int32Array {
  const b = new Int32Array(a.length + 1);
  b.set(a);
  b[a.length] = v;
  return b;
}

/** Samples the categorical dimensions with independent TPE (used by CMA-ES for its categorical dims). */
export function suggestCategoricalTpe(
  model: SpaceModel,
  cols: readonly number[],
  history: readonly TrialView[],
  goal: Goal,
  rng: Rng,
  rows: RowCache,
  pending: readonly Params[],
  options: TpeOptions = TPE_DEFAULTS,
): ParamValue[] {
  const obs = collectObservations(model, history, goal, true, rows, pending.length);
  for (const p of pending) pushPending(obs, rows.row(model, p));
  if (obs.finished < options.n_startup || obs.finished === 0) {
    return cols.map((c) => {
      const d = model.dims[c];
      return d.choices[Math.min(d.choices.length - 1, Math.floor(rng.next() * d.choices.length))];
    });
  }
  const { below, above } = splitObservations(obs, gammaCount(obs.finished, options.gamma, options.gamma_cap));
  const row = suggestTpe(model, cols, obs, below, above, { ...options, multivariate: false }, rng);
  return cols.map((c, j) => toExternal(model.dims[c], row[j]));
}
