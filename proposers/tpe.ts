// TPE: the Tree-structured Parzen Estimator as Optuna 4.x defines it (optuna/samplers/_tpe/sampler.py).
// Startup trials are random; then the finished trials are split into a good set (the best
// min(⌈γ·n⌉, 25)) and the rest, a Parzen mixture is fitted to each, and of n_ei_candidates draws from
// the good mixture the one maximising log l(x) − log g(x) is proposed. Queued and running trials, and
// earlier proposals of the same batch, join the bad set (constant liar), so k slots get k points.
// Stateless: every draw comes from hashSeed(seed, 'tpe', trial index), so resume proposes the same.
import { z } from 'zod';
import type { Goal, ParamValue, Params, Proposal, Proposer, ProposerContext, Space, TrialView } from '../src/types.js';
import { Rng, hashSeed } from '../src/rng.js';
import { paramsKey, spaceSize } from '../src/space.js';
import { Parzen, buildSpaceModel, toExternal, toInternal, type Dim, type ParzenOptions, type SpaceModel } from './parzen.js';

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

const COMPLETE = 0;
const PRUNED = 1;
const RUNNING = 2;

/** The trials TPE learns from, in history order, with their values in internal coordinates. */
export interface Observations {
  rows: Float64Array[];
  state: Uint8Array;
  /** Sort keys: complete → signed score; pruned → (−step, signed value). */
  key1: Float64Array;
  key2: Float64Array;
  count: number;
  /** Complete + pruned (Optuna's n; running trials do not count). */
  finished: number;
}

function signOf(goal: Goal): number {
  return goal === 'maximize' ? -1 : 1;
}

/**
 * How each trial status counts, following Optuna: keep/discard are COMPLETE, pruned is PRUNED
 * (ranked after every complete trial, deeper steps first, then by its last value), queued/running are
 * RUNNING (constant liar); crash, timeout, invalid and killed are FAIL and ignored, like lost and dropped.
 */
function classify(t: TrialView): number {
  switch (t.status) {
    case 'keep':
    case 'discard':
      return t.score !== null && !Number.isNaN(t.score) ? COMPLETE : -1;
    case 'pruned':
      return PRUNED;
    case 'queued':
    case 'running':
      return RUNNING;
    default:
      return -1;
  }
}

/** Internal-coordinate rows, cached per params object (a trial's params never change). */
export class RowCache {
  private cache = new WeakMap<Params, Float64Array>();
  private fingerprint = '';
  row(model: SpaceModel, params: Params): Float64Array {
    if (model.fingerprint !== this.fingerprint) {
      this.cache = new WeakMap();
      this.fingerprint = model.fingerprint;
    }
    let r = this.cache.get(params);
    if (!r) {
      r = new Float64Array(model.dims.length);
      for (let j = 0; j < model.dims.length; j++) r[j] = toInternal(model.dims[j], params[model.dims[j].name]);
      this.cache.set(params, r);
    }
    return r;
  }
}

export function collectObservations(model: SpaceModel, history: readonly TrialView[], goal: Goal, includeRunning: boolean, rows: RowCache, extra = 0): Observations {
  const n = history.length;
  const obs: Observations = {
    rows: [],
    state: new Uint8Array(n + extra),
    key1: new Float64Array(n + extra),
    key2: new Float64Array(n + extra),
    count: 0,
    finished: 0,
  };
  const sign = signOf(goal);
  for (let i = 0; i < n; i++) {
    const t = history[i];
    const s = classify(t);
    if (s < 0 || (s === RUNNING && !includeRunning)) continue;
    const c = obs.count++;
    obs.rows.push(rows.row(model, t.params));
    obs.state[c] = s;
    if (s === COMPLETE) {
      obs.key1[c] = sign * (t.score as number);
      obs.finished++;
    } else if (s === PRUNED) {
      obs.finished++;
      if (t.lastValue === null || t.lastValue === undefined) {
        obs.key1[c] = 1;
        obs.key2[c] = 0;
      } else {
        obs.key1[c] = -(t.lastStep ?? 0);
        obs.key2[c] = Number.isNaN(t.lastValue) ? Infinity : sign * t.lastValue;
      }
    }
  }
  return obs;
}

export function pushPending(obs: Observations, row: Float64Array): void {
  const c = obs.count++;
  obs.rows.push(row);
  obs.state[c] = RUNNING;
}

/**
 * Optuna's _split_trials: the best `nBelow` complete trials (ties by age), then pruned trials by
 * (−step, value) if the complete ones are too few; the rest and every running trial are above.
 * Both lists come back in history order (older trials get lower weights).
 */
export function splitObservations(obs: Observations, nBelow: number): { below: Int32Array; above: Int32Array } {
  const n = obs.count;
  const isBelow = new Uint8Array(n);
  // The nBelow best complete trials, ties going to the older one (a stable sort): kept in a small
  // sorted buffer, since nBelow ≤ gamma_cap is tiny next to n.
  const bufV = new Float64Array(Math.max(1, nBelow));
  const bufC = new Int32Array(Math.max(1, nBelow));
  let size = 0;
  let nPruned = 0;
  for (let c = 0; c < n; c++) {
    const st = obs.state[c];
    if (st === PRUNED) nPruned++;
    if (st !== COMPLETE || nBelow === 0) continue;
    const v = obs.key1[c];
    if (size === nBelow && !(v < bufV[size - 1])) continue;
    let p = size < nBelow ? size++ : size - 1;
    while (p > 0 && v < bufV[p - 1]) {
      bufV[p] = bufV[p - 1];
      bufC[p] = bufC[p - 1];
      p--;
    }
    bufV[p] = v;
    bufC[p] = c;
  }
  for (let i = 0; i < size; i++) isBelow[bufC[i]] = 1;
  const need = Math.max(0, nBelow - size);
  if (need > 0 && nPruned > 0) {
    const pruned: number[] = [];
    for (let c = 0; c < n; c++) if (obs.state[c] === PRUNED) pruned.push(c);
    pruned.sort((a, b) => obs.key1[a] - obs.key1[b] || obs.key2[a] - obs.key2[b] || a - b);
    for (let i = 0; i < Math.min(need, pruned.length); i++) isBelow[pruned[i]] = 1;
  }
  let nb = 0;
  for (let c = 0; c < n; c++) nb += isBelow[c];
  const below = new Int32Array(nb);
  const above = new Int32Array(n - nb);
  let ib = 0;
  let ia = 0;
  for (let c = 0; c < n; c++) {
    if (isBelow[c]) below[ib++] = c;
    else above[ia++] = c;
  }
  return { below, above };
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

function randomRow(model: SpaceModel, rng: Rng): Float64Array {
  const r = new Float64Array(model.dims.length);
  for (let j = 0; j < model.dims.length; j++) {
    const d = model.dims[j];
    if (d.kind === 'cat') r[j] = Math.min(d.choices.length - 1, Math.floor(rng.next() * d.choices.length));
    // Uniform on the (widened, log) interval then snapped: the same law as src/space.ts sampleParam.
    else r[j] = toInternal(d, toExternal(d, d.lo + (d.hi - d.lo) * rng.next()));
  }
  return r;
}

export function rowToParams(model: SpaceModel, row: Float64Array): Params {
  const params: Params = {};
  for (const [name, v] of model.fixed) params[name] = v;
  for (let j = 0; j < model.dims.length; j++) params[model.dims[j].name] = toExternal(model.dims[j], row[j]);
  return params;
}

/** Keys of the points that must not be proposed again: pending ones always, every tried one in a finite space. */
export function busyKeys(history: readonly TrialView[], finite: boolean): Set<string> {
  const keys = new Set<string>();
  for (const t of history) {
    if (t.status === 'lost' || t.status === 'dropped') continue;
    if (finite || t.status === 'queued' || t.status === 'running') keys.add(paramsKey(t.params));
  }
  return keys;
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

  async propose(ctx: ProposerContext, k: number): Promise<Proposal[]> {
    return this.proposeSync(ctx, k);
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
