// Random search: the honest baseline. Seeded per trial index, so a resumed campaign draws the same points.
import { z } from 'zod';
import type { Proposal, Proposer, ProposerContext } from '../src/types.js';
import { Rng, hashSeed } from '../src/rng.js';
import { paramsKey, sampleParams, spaceSize } from '../src/space.js';

/** Draws per slot before accepting that a small discrete space has no unseen point left. */
const MAX_DRAWS_PER_POINT = 200;

export const randomOptions = z.object({}).strict();

export class RandomProposer implements Proposer {
  readonly name = 'random';

  async propose(ctx: ProposerContext, k: number): Promise<Proposal[]> {
    const seen = new Set(ctx.history.filter((t) => t.status !== 'lost').map((t) => paramsKey(t.params)));
    const size = spaceSize(ctx.space);
    const out: Proposal[] = [];
    for (let j = 0; j < k; j++) {
      const index = ctx.history.length + j;
      const rng = new Rng(hashSeed(ctx.seed, 'random', index));
      let params = sampleParams(ctx.space, rng);
      // In a finite space, avoid repeating a point while unseen ones remain.
      for (let draw = 1; seen.has(paramsKey(params)) && seen.size < size && draw < MAX_DRAWS_PER_POINT; draw++) {
        params = sampleParams(ctx.space, rng);
      }
      if (seen.has(paramsKey(params)) && seen.size >= size) break; // space exhausted
      seen.add(paramsKey(params));
      out.push({ kind: 'params', params });
    }
    return out;
  }
}
