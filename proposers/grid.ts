// Grid search: every combination, in order, skipping points already tried. [] when the grid is done.
import { z } from 'zod';
import type { ParamSpec, ParamValue, Params, Proposal, ProposeResult, Proposer, ProposerContext, Space } from '../src/types.js';
import { paramsKey, snap } from './numeric/space.js';

export const gridOptions = z
  .object({
    /** Points per continuous dimension (ints with more values than this are thinned too). */
    points: z.number().int().min(2).max(1000).default(5),
  })
  .strict();
export type GridOptions = z.infer<typeof gridOptions>;

export function gridValues(spec: ParamSpec, points: number): ParamValue[] {
  if (spec.type === 'categorical') return [...spec.choices];
  if (spec.step !== undefined || spec.type === 'int') {
    const step = spec.step ?? 1;
    const count = Math.floor((spec.high - spec.low) / step + 1e-9) + 1;
    if (count <= points) return Array.from({ length: count }, (_, i) => snap(spec, spec.low + i * step));
  }
  const values: number[] = [];
  for (let i = 0; i < points; i++) {
    const u = i / (points - 1);
    const x = spec.log
      ? Math.exp(Math.log(spec.low) + u * (Math.log(spec.high) - Math.log(spec.low)))
      : spec.low + u * (spec.high - spec.low);
    const v = spec.type === 'float' && spec.step === undefined ? Number(x.toPrecision(6)) : snap(spec, x);
    if (!values.includes(v)) values.push(v);
  }
  return values;
}

/** The i-th point of the grid in row-major order (the last dimension varies fastest). */
function gridPoint(axes: Array<[string, ParamValue[]]>, i: number): Params {
  const params: Params = {};
  for (let d = axes.length - 1; d >= 0; d--) {
    const [name, values] = axes[d];
    params[name] = values[i % values.length];
    i = Math.floor(i / values.length);
  }
  return params;
}

export class GridProposer implements Proposer {
  readonly name = 'grid';
  constructor(private readonly options: GridOptions = { points: 5 }) {}

  size(space: Space): number {
    return Object.values(space).reduce((n, spec) => n * gridValues(spec, this.options.points).length, 1);
  }

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    const axes = Object.entries(ctx.space).map(([n, spec]) => [n, gridValues(spec, this.options.points)] as [string, ParamValue[]]);
    const total = axes.reduce((n, [, v]) => n * v.length, 1);
    const seen = new Set(ctx.history.filter((t) => t.status !== 'lost').map((t) => paramsKey(t.params)));
    const out: Proposal[] = [];
    for (let i = 0; i < total && out.length < k; i++) {
      const params = gridPoint(axes, i);
      const key = paramsKey(params);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: 'params', params });
    }
    return { proposals: out };
  }
}
