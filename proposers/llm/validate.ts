// Checking a model's points against the search space before they run: each problem is a short
// reason the model is shown when it is asked again (unknown name, missing name, wrong type, out of
// range, off the step grid, not a listed choice, a repeat of an earlier trial or of another point).
import type { ParamSpec, Params, Space } from '../../src/types.js';
import { paramsKey } from '../numeric/space.js';

export interface Rejected {
  point: unknown;
  reasons: string[];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

/** On a step grid counted from low, with room for decimal noise (0.1 + 0.2). */
function onGrid(v: number, low: number, step: number): boolean {
  const n = (v - low) / step;
  return Math.abs(n - Math.round(n)) <= 1e-6 * Math.max(1, Math.abs(n));
}

/** Why one value does not fit its dimension, or null. */
export function valueProblem(name: string, spec: ParamSpec, v: unknown): string | null {
  if (spec.type === 'categorical') {
    if (spec.choices.some((c) => c === v)) return null;
    return `${name}=${show(v)} is not one of the choices ${show(spec.choices)}`;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${name}=${show(v)} is not a number (${name} is ${spec.type === 'int' ? 'an integer' : 'a float'})`;
  if (spec.type === 'int' && !Number.isInteger(v)) return `${name}=${show(v)} is not a whole number (${name} is an integer)`;
  if (v < spec.low) return `${name}=${show(v)} is below the lower bound ${spec.low}`;
  if (v > spec.high) return `${name}=${show(v)} is above the upper bound ${spec.high}`;
  if (spec.step !== undefined && !onGrid(v, spec.low, spec.step)) return `${name}=${show(v)} is not on the grid ${spec.low} + n × ${spec.step}`;
  return null;
}

/**
 * Splits candidate points into valid ones (at most `k`, in order) and rejected ones with reasons.
 * `seen` holds paramsKey of every earlier trial (queued and running ones included).
 */
export function validatePoints(space: Space, candidates: readonly unknown[], seen: ReadonlySet<string>, k: number): { valid: Params[]; rejected: Rejected[] } {
  const names = Object.keys(space);
  const valid: Params[] = [];
  const rejected: Rejected[] = [];
  const batch = new Set<string>();
  for (const point of candidates) {
    if (valid.length >= k) break;
    if (!isMap(point)) {
      rejected.push({ point, reasons: [`${show(point)} is not an object of parameter values`] });
      continue;
    }
    const reasons: string[] = [];
    for (const key of Object.keys(point)) {
      if (!names.includes(key)) reasons.push(`unknown parameter ${key} (the space has ${names.join(', ')})`);
    }
    for (const name of names) {
      if (!(name in point)) reasons.push(`missing ${name}`);
      else {
        const why = valueProblem(name, space[name], point[name]);
        if (why) reasons.push(why);
      }
    }
    if (reasons.length === 0) {
      const params = Object.fromEntries(names.map((n) => [n, point[n]])) as Params;
      const key = paramsKey(params);
      if (seen.has(key)) reasons.push('exactly repeats an earlier trial');
      else if (batch.has(key)) reasons.push('repeats another point in this reply');
      else {
        batch.add(key);
        valid.push(params);
        continue;
      }
    }
    rejected.push({ point, reasons });
  }
  return { valid, rejected };
}

/** The rejections as the model reads them in the re-ask. */
export function rejectionText(rejected: readonly Rejected[]): string {
  return rejected.map((r) => `- ${show(r.point)}: ${r.reasons.join('; ')}`).join('\n');
}
