// Benchmark problems shared by the proposer bench (test/bench/proposers.ts) and, in Python, by
// test/bench/optuna_bench.py (which must define the same functions). All minimise.
import type { Params, Space } from '../../src/types.js';

export interface Problem {
  name: string;
  space: Space;
  f(p: Params): number;
  optimum: number;
}

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

export function hartmann6(x: number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2;
    s += H6_ALPHA[i] * Math.exp(-inner);
  }
  return -s;
}

export function branin(x: number, y: number): number {
  const a = 1;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const r = 6;
  const s = 10;
  const t = 1 / (8 * Math.PI);
  return a * (y - b * x * x + c * x - r) ** 2 + s * (1 - t) * Math.cos(x) + s;
}

export function rosenbrock(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
}

const X6 = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'];
const vec = (p: Params): number[] => X6.map((k) => p[k] as number);

/** Mixed: Branin in (x, y) plus an integer `units` whose best value depends on a categorical `act`. */
export const MIXED_TARGET: Record<string, number> = { relu: 12, tanh: 4, gelu: 8, silu: 16 };
export const MIXED_OFFSET: Record<string, number> = { relu: 0.5, tanh: 1.0, gelu: 0, silu: 0.25 };
export const BRANIN_MIN = 0.397887;

export const PROBLEMS: Problem[] = [
  {
    name: 'hartmann6',
    space: Object.fromEntries(X6.map((k) => [k, { type: 'float', low: 0, high: 1 }])),
    f: (p) => hartmann6(vec(p)),
    optimum: -3.32237,
  },
  {
    name: 'branin',
    space: { x: { type: 'float', low: -5, high: 10 }, y: { type: 'float', low: 0, high: 15 } },
    f: (p) => branin(p.x as number, p.y as number),
    optimum: BRANIN_MIN,
  },
  {
    name: 'rosenbrock6',
    space: Object.fromEntries(X6.map((k) => [k, { type: 'float', low: -5, high: 10 }])),
    f: (p) => rosenbrock(vec(p)),
    optimum: 0,
  },
  {
    name: 'mixed',
    space: {
      x: { type: 'float', low: -5, high: 10 },
      y: { type: 'float', low: 0, high: 15 },
      units: { type: 'int', low: 0, high: 20 },
      act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu', 'silu'] },
    },
    // Optimum: Branin's minimum with act = gelu and units = 8 → 0.397887.
    f: (p) => {
      const act = p.act as string;
      return branin(p.x as number, p.y as number) + 0.05 * ((p.units as number) - MIXED_TARGET[act]) ** 2 + MIXED_OFFSET[act];
    },
    optimum: BRANIN_MIN,
  },
];
