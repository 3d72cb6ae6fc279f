// A code-side proposer for tests: each proposal is a numbered hypothesis with a small diff of
// train.py. No model behind it; the engine and the TUI treat it as they would llm-code.
import { z } from 'zod';
import { PROPOSERS } from '../../proposers/index.js';
import type { Proposal, ProposeResult, Proposer } from '../../src/types.js';
import type { ProposerRegistry } from '../../src/config/registry.js';

export function codeDiff(n: number, lines = 1): string {
  const minus = Array.from({ length: lines }, (_, i) => `-lr_${i} = 0.1`);
  const plus = Array.from({ length: lines }, (_, i) => `+lr_${i} = 0.0${n}`);
  return `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,${lines + 1} +1,${lines + 1} @@\n import math\n${minus.join('\n')}\n${plus.join('\n')}\n`;
}

export class ScriptedCodeProposer implements Proposer {
  readonly side = 'code' as const;
  private n = 0;
  constructor(readonly name = 'scripted-code', private readonly lines = 1) {}

  async propose(_ctx: unknown, k: number): Promise<ProposeResult> {
    const proposals: Proposal[] = [];
    for (let i = 0; i < k; i++) {
      this.n++;
      proposals.push({ kind: 'code', hypothesis: `hypothesis ${this.n}: a smaller learning rate converges better`, diff: codeDiff(this.n, this.lines) });
    }
    return { proposals };
  }
}

/** The real registry plus `scripted-code`, for loading campaign files that name it. */
export const TEST_PROPOSERS: ProposerRegistry = { ...PROPOSERS, 'scripted-code': { options: z.object({}).strict() } };
