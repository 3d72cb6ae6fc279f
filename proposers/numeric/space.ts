// Search-space helpers shared by the proposers: sampling, snapping to steps, canonical keys.
import type { ParamSpec, Params, ParamValue, Space, TrialView } from '../../src/types.js';
import { Rng } from './rng.js';

/** Snap a raw numeric value into the dimension: clip to [low, high], round ints, apply step. */
export function snap(spec: ParamSpec, x: number): number {
  if (spec.type === 'categorical') throw new Error('snap() is for numeric dimensions');
  let v = Math.min(spec.high, Math.max(spec.low, x));
  if (spec.step !== undefined && spec.step > 0) {
    v = spec.low + Math.round((v - spec.low) / spec.step) * spec.step;
    if (v > spec.high + 1e-12) v -= spec.step;
    // Avoid 0.30000000000000004 in params.json and on the command line.
    v = Number(v.toPrecision(12));
  }
  if (spec.type === 'int') v = Math.round(v);
  return Math.min(spec.high, Math.max(spec.low, v));
}

/** Draw one value uniformly (log-uniformly when log: true). */
export function sampleParam(spec: ParamSpec, rng: Rng): ParamValue {
  if (spec.type === 'categorical') return rng.pick(spec.choices);
  // Ints are drawn on [low - 0.5, high + 0.5] and rounded so the end points are as likely as the rest
  // (Optuna does the same); log dimensions are drawn uniformly in log space.
  const pad = spec.type === 'int' ? 0.5 : 0;
  const lo = spec.low - pad;
  const hi = spec.high + pad;
  if (spec.log) return snap(spec, Math.exp(rng.uniform(Math.log(lo), Math.log(hi))));
  return snap(spec, rng.uniform(lo, hi));
}

export function sampleParams(space: Space, rng: Rng): Params {
  const out: Params = {};
  for (const [name, spec] of Object.entries(space)) out[name] = sampleParam(spec, rng);
  return out;
}

/** A canonical string for a point, for de-duplication. */
export function paramsKey(params: Params): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

/** Number of distinct points in the space, or Infinity when any dimension is continuous. */
export function spaceSize(space: Space): number {
  let n = 1;
  for (const spec of Object.values(space)) {
    if (spec.type === 'categorical') n *= spec.choices.length;
    else if (spec.type === 'int') n *= Math.floor((spec.high - spec.low) / (spec.step ?? 1)) + 1;
    else if (spec.step) n *= Math.floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
    else return Infinity;
  }
  return n;
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
