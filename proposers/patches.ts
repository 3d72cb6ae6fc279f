// Patches: a fixed list of code edits, tried in order (each once). For replaying a set of ideas
// written by hand or by `git format-patch`, and a code proposer without a model for tests and demos.
import { z } from 'zod';
import type { CodeView, Proposal, ProposeResult, Proposer, ProposerContext } from '../src/types.js';

export const patchesOptions = z
  .object({
    patches: z
      .array(
        z.object({ hypothesis: z.string().min(1), diff: z.string().min(1) }).strict(),
        { error: 'expected a list of { hypothesis: ..., diff: ... } (diff: a unified diff, paths relative to workdir)' },
      )
      .min(1, { error: 'expected at least one patch' }),
  })
  .strict();

export class PatchesProposer implements Proposer {
  readonly name = 'patches';
  readonly side = 'code' as const;
  /**
   * The commit the patches were written against: the campaign branch's tip when this proposer is
   * first asked (before anything of this session ran). Without it a patch proposed after another
   * was kept would be applied to the moved tip, where its context may no longer match.
   */
  private base: string | undefined;
  constructor(
    private readonly opts: z.output<typeof patchesOptions>,
    private readonly code?: CodeView,
  ) {}

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    // Tried already = present in the history (re-runs of lost trials carry the same proposal).
    const tried = new Set(ctx.history.filter((t) => t.diff !== undefined).map((t) => `${t.hypothesis}\0${t.diff}`));
    if (this.base === undefined && this.code) this.base = await this.code.base();
    const out: Proposal[] = [];
    for (const p of this.opts.patches) {
      if (out.length >= k) break;
      if (tried.has(`${p.hypothesis}\0${p.diff}`)) continue;
      out.push({ kind: 'code', hypothesis: p.hypothesis, diff: p.diff, ...(this.base ? { base: this.base } : {}) });
    }
    return { proposals: out };
  }
}
