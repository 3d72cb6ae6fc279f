// Random search: the honest baseline. Each draw is seeded by (campaign seed, proposal number), so a
// resumed campaign draws the same points, and a proposal the operator drops is followed by a new
// point rather than the same one again (the proposal count moves on; the history shrinks).
import { z } from 'zod';
import type { Proposal, ProposeResult, Proposer, ProposerContext } from '../src/types.js';
import { Rng, hashSeed } from './numeric/rng.js';
import { paramsKey, sampleParams, spaceSize } from './numeric/space.js';

/** Draws per slot before accepting that a small discrete space has no unseen point left. */
const MAX_DRAWS_PER_POINT = 200;

export const randomOptions = z.object({}).strict();

export class RandomProposer implements Proposer {
  readonly name = 'random';
  /**
   * Finite spaces only: every point proposed so far, dropped ones included (so a dropped point is
   * not proposed again), grown from the trials added since the last call rather than rebuilt.
   */
  private seen = new Set<string>();
  private seenThroughId = 0;
  /** The proposal count at the last call: it never goes back within one campaign. */
  private lastBase = 0;

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    const base = ctx.proposed ?? ctx.history.length;
    const size = spaceSize(ctx.space);
    const out: Proposal[] = [];
    if (!Number.isFinite(size)) {
      // A continuous space: a repeat has probability zero, so there is nothing to remember.
      for (let j = 0; j < k; j++) out.push({ kind: 'params', params: sampleParams(ctx.space, new Rng(hashSeed(ctx.seed, 'random', base + j))) });
      return { proposals: out };
    }
    const seen = this.catchUp(ctx, base);
    for (let j = 0; j < k; j++) {
      const rng = new Rng(hashSeed(ctx.seed, 'random', base + j));
      let params = sampleParams(ctx.space, rng);
      // Avoid repeating a point while unseen ones remain.
      for (let draw = 1; seen.has(paramsKey(params)) && seen.size < size && draw < MAX_DRAWS_PER_POINT; draw++) {
        params = sampleParams(ctx.space, rng);
      }
      if (seen.has(paramsKey(params)) && seen.size >= size) break; // space exhausted
      seen.add(paramsKey(params));
      out.push({ kind: 'params', params });
    }
    return { proposals: out };
  }

  /** Adds the history's trials newer than the last call (the history is in id order). */
  private catchUp(ctx: ProposerContext, base: number): Set<string> {
    const h = ctx.history;
    const lastId = h.length ? h[h.length - 1].id : 0;
    if (base < this.lastBase) {
      // A different campaign: start over.
      this.seen = new Set();
      this.seenThroughId = 0;
    }
    this.lastBase = base;
    let i = h.length;
    while (i > 0 && h[i - 1].id > this.seenThroughId) i--;
    for (; i < h.length; i++) this.seen.add(paramsKey(h[i].params));
    this.seenThroughId = Math.max(this.seenThroughId, lastId);
    return this.seen;
  }
}
