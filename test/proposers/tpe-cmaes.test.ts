// Behaviour of the TPE and CMA-ES proposers: reproducibility, parallel slots, resume, and that they
// actually optimise (asserted loosely, fixed seeds).
import { describe, expect, it } from 'vitest';
import type { Goal, Params, Proposer, ProposerContext, Space, TrialView } from '../../src/types.js';
import { paramsKey } from '../../proposers/numeric/space.js';
import { TpeProposer } from '../../proposers/tpe.js';
import { CmaesProposer } from '../../proposers/cmaes.js';
import { PROPOSERS, createProposer } from '../../proposers/index.js';

const QUAD: Space = { x: { type: 'float', low: -5, high: 5 }, y: { type: 'float', low: -5, high: 5 } };
const quad = (p: Params) => ((p.x as number) - 1.5) ** 2 + ((p.y as number) + 2) ** 2;

function ctx(space: Space, history: TrialView[], seed = 1, goal: Goal = 'minimize'): ProposerContext {
  return { space, goal, history, incumbent: null, seed, signal: new AbortController().signal };
}

function done(id: number, params: Params, score: number, status: TrialView['status'] = 'discard'): TrialView {
  return { id, status, params, score, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'test' };
}

/** Sequential loop: propose one, score it, append. Returns the history. */
async function run(p: Proposer, space: Space, f: (p: Params) => number, n: number, seed = 1, goal: Goal = 'minimize'): Promise<TrialView[]> {
  const h: TrialView[] = [];
  for (let i = 0; i < n; i++) {
    const [prop] = (await p.propose(ctx(space, h, seed, goal), 1)).proposals;
    if (prop.kind !== 'params') throw new Error('expected params');
    h.push(done(i, prop.params, f(prop.params)));
  }
  return h;
}

/**
 * Parallel loop with `slots` workers finishing in a seeded pseudo-random order, some trials crashing:
 * the way the engine feeds a proposer. `fresh` makes a new proposer per call (a resumed process each time).
 */
async function runParallel(make: () => Proposer, space: Space, f: (p: Params) => number, n: number, slots: number, fresh: boolean): Promise<TrialView[]> {
  const h: TrialView[] = [];
  let p = make();
  let tick = 0;
  while (h.length < n) {
    const free = slots - h.filter((t) => t.status === 'running').length;
    if (free > 0) {
      if (fresh) p = make();
      const props = (await p.propose(ctx(space, h, 3), free)).proposals;
      for (const prop of props) {
        if (prop.kind === 'params') h.push({ ...done(h.length, prop.params, 0), status: 'running', score: null });
      }
    }
    // finish one running trial, chosen deterministically
    const running = h.filter((t) => t.status === 'running');
    const t = running[(tick++ * 7) % running.length];
    if (t.id % 11 === 5) t.status = 'crash';
    else {
      t.status = 'discard';
      t.score = f(t.params);
    }
  }
  return h;
}

const best = (h: TrialView[]) => Math.min(...h.filter((t) => t.score !== null).map((t) => t.score as number));

describe.each([
  ['tpe (multivariate, the default)', () => new TpeProposer()],
  ['tpe independent', () => new TpeProposer({ multivariate: false })],
  ['cmaes', () => new CmaesProposer()],
])('%s', (_name, make) => {
  it('the same seed and history give the same proposals, from a fresh instance too', async () => {
    const h = await run(make(), QUAD, quad, 30, 5);
    const again = await run(make(), QUAD, quad, 30, 5);
    expect(again.map((t) => t.params)).toEqual(h.map((t) => t.params));
    const a = (await make().propose(ctx(QUAD, h, 5), 3)).proposals;
    const warm = make();
    await warm.propose(ctx(QUAD, h.slice(0, 20), 5), 1);
    expect((await warm.propose(ctx(QUAD, h, 5), 3)).proposals).toEqual(a);
    const other = await run(make(), QUAD, quad, 30, 6);
    expect(other.map((t) => t.params)).not.toEqual(h.map((t) => t.params));
  });

  it('k free slots get k distinct points', async () => {
    const h = await run(make(), QUAD, quad, 25);
    const props = (await make().propose(ctx(QUAD, h), 8)).proposals;
    expect(props.length).toBe(8);
    expect(new Set(props.map((p) => paramsKey((p as { params: Params }).params))).size).toBe(8);
    // a small discrete space too
    const small: Space = { a: { type: 'int', low: 0, high: 3 }, b: { type: 'categorical', choices: ['u', 'v'] } };
    const hs = await run(make(), small, (p) => (p.a as number) + (p.b === 'u' ? 0 : 1), 4);
    const ps = (await make().propose(ctx(small, hs), 4)).proposals;
    expect(ps.length).toBe(4);
    expect(new Set(ps.map((p) => paramsKey((p as { params: Params }).params))).size).toBe(4);
  });

  it('finds the optimum region of a 2-D quadratic in a short run', async () => {
    const h = await run(make(), QUAD, quad, 80, 2);
    expect(best(h)).toBeLessThan(0.3); // random search: about 1.5 at 80 trials
  });

  it('maximises when asked to', async () => {
    const h = await run(make(), QUAD, (p) => -quad(p), 80, 2, 'maximize');
    expect(Math.max(...h.map((t) => t.score as number))).toBeGreaterThan(-0.3);
  });

  it('a resumed process (fresh instance every call) proposes what an uninterrupted one does, with parallel slots and crashes', async () => {
    const warm = await runParallel(make, QUAD, quad, 60, 3, false);
    const cold = await runParallel(make, QUAD, quad, 60, 3, true);
    expect(cold.map((t) => t.params)).toEqual(warm.map((t) => t.params));
    expect(best(warm)).toBeLessThan(1);
  });

  it('handles int, log, stepped and categorical dimensions', async () => {
    const space: Space = {
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
      n: { type: 'int', low: 1, high: 64, log: true },
      k: { type: 'int', low: 0, high: 10, step: 2 },
      d: { type: 'float', low: 0, high: 0.5, step: 0.05 },
      act: { type: 'categorical', choices: ['relu', 'gelu', 'tanh'] },
    };
    const f = (p: Params) =>
      Math.log10(p.lr as number) ** 2 / 4 + Math.abs(Math.log2(p.n as number) - 3) + Math.abs((p.k as number) - 4) / 2 +
      Math.abs((p.d as number) - 0.2) * 4 + (p.act === 'gelu' ? 0 : 1);
    const h = await run(make(), space, f, 120, 4);
    for (const t of h) {
      expect(Number.isInteger(t.params.n) && (t.params.n as number) >= 1 && (t.params.n as number) <= 64).toBe(true);
      expect([0, 2, 4, 6, 8, 10]).toContain(t.params.k);
      expect(Math.abs((t.params.d as number) * 20 - Math.round((t.params.d as number) * 20))).toBeLessThan(1e-9);
      expect(['relu', 'gelu', 'tanh']).toContain(t.params.act);
    }
    expect(best(h)).toBeLessThan(1.25); // random search over 20 seeds: median 1.4
    const late = h.slice(60);
    expect(late.filter((t) => t.params.act === 'gelu').length).toBeGreaterThan(late.length / 2);
  });
});

describe('tpe specifics', () => {
  it('startup trials are random until n_startup trials have finished (crashes do not count)', async () => {
    const h: TrialView[] = [];
    for (let i = 0; i < 9; i++) h.push(done(i, { x: 0.1 * i - 4, y: 0 }, i));
    h.push({ ...done(9, { x: 0, y: 0 }, 0), status: 'crash', score: null });
    const tpe = new TpeProposer({ n_startup: 10 });
    // still in startup: identical to what a 'random-like' draw gives regardless of the scores
    const a = (await tpe.propose(ctx(QUAD, h), 1)).proposals;
    const b = (await tpe.propose(ctx(QUAD, h.map((t) => ({ ...t, score: t.score === null ? null : -(t.score as number) }))), 1)).proposals;
    expect(a).toEqual(b);
    h.push(done(10, { x: 1, y: 1 }, 3));
    const c = (await tpe.propose(ctx(QUAD, h), 8)).proposals;
    const d = (await tpe.propose(ctx(QUAD, h.map((t) => ({ ...t, score: t.score === null ? null : -(t.score as number) }))), 8)).proposals;
    expect(c).not.toEqual(d); // the model now reads the scores
  });

  it('stops when a finite space has been tried entirely', async () => {
    const tiny: Space = { a: { type: 'int', low: 0, high: 2 } };
    const h = await run(new TpeProposer({ n_startup: 1 }), tiny, (p) => p.a as number, 3);
    expect(new Set(h.map((t) => t.params.a)).size).toBe(3);
    expect((await new TpeProposer().propose(ctx(tiny, h), 2)).proposals).toEqual([]);
  });
});

describe('cmaes specifics', () => {
  it('restarts (IPOP) after converging and keeps improving on a multimodal 1-D function', async () => {
    const space: Space = { x: { type: 'float', low: -10, high: 10 } };
    const f = (p: Params) => {
      const x = p.x as number;
      return x * x / 20 + 1 - Math.cos(3 * x);
    };
    const h = await run(new CmaesProposer(), space, f, 300, 1);
    expect(best(h)).toBeLessThan(0.01);
  });

  it('an all-categorical space falls back to TPE', async () => {
    const space: Space = { a: { type: 'categorical', choices: ['p', 'q', 'r'] }, b: { type: 'categorical', choices: [1, 2, 3, 4] } };
    const h = await run(new CmaesProposer(), space, (p) => (p.a === 'q' ? 0 : 1) + Math.abs((p.b as number) - 3), 12);
    expect(best(h)).toBe(0);
  });
});

describe('registry', () => {
  it('validates options strictly and fills defaults', () => {
    expect(PROPOSERS.tpe.options.parse({})).toMatchObject({ n_startup: 10, n_ei_candidates: 24, gamma: 0.1, gamma_cap: 25, prior_weight: 1, multivariate: true, constant_liar: true });
    expect(PROPOSERS.cmaes.options.parse({})).toMatchObject({ restart: 'ipop', inc_popsize: 2 });
    expect(() => PROPOSERS.tpe.options.parse({ n_startups: 5 })).toThrow();
    expect(() => PROPOSERS.tpe.options.parse({ gamma: 2 })).toThrow();
    expect(() => PROPOSERS.cmaes.options.parse({ restart: 'sometimes' })).toThrow();
    expect(createProposer({ type: 'tpe', options: { multivariate: true } }, { space: QUAD }).name).toBe('tpe');
    expect(createProposer({ type: 'cmaes', options: { popsize: 12 } }, { space: QUAD }).name).toBe('cmaes');
  });
});
