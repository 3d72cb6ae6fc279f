// A search space in the internal coordinates the numeric proposers work in: log dimensions in log
// space, ints and stepped floats on their grid (widened by half a step for the kernels' truncation),
// choices by index. Shared by TPE (Parzen estimators) and CMA-ES (the unit cube).
import type { ParamSpec, ParamValue, Params, Space } from '../../src/types.js';
import type { Rng } from './rng.js';
import { snap } from './space.js';

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

/** Internal coordinates back to params, the single-valued dimensions included. */
export function rowToParams(model: SpaceModel, row: Float64Array): Params {
  const params: Params = {};
  for (const [name, v] of model.fixed) params[name] = v;
  for (let j = 0; j < model.dims.length; j++) params[model.dims[j].name] = toExternal(model.dims[j], row[j]);
  return params;
}

/** A uniform draw in internal coordinates (TPE's startup trials and its fallback when a point repeats). */
export function randomRow(model: SpaceModel, rng: Rng): Float64Array {
  const r = new Float64Array(model.dims.length);
  for (let j = 0; j < model.dims.length; j++) {
    const d = model.dims[j];
    if (d.kind === 'cat') r[j] = Math.min(d.choices.length - 1, Math.floor(rng.next() * d.choices.length));
    // Uniform on the (widened, log) interval then snapped: the same law as space.ts sampleParam.
    else r[j] = toInternal(d, toExternal(d, d.lo + (d.hi - d.lo) * rng.next()));
  }
  return r;
}
