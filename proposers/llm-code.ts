// llm-code: a language model proposes edits to the mutable files. One call asks for k diverse
// proposals; each one's edits are tried in a scratch checkout (CodeView.tryEdits) so a proposal
// carries a diff that applies exactly to its base; edits that do not apply go back to the model
// with the error (one follow-up call revises all of them, at most max_revisions times), and what
// still fails is returned `invalid` with the reason, never run, and shown to the model next time.
import { z } from 'zod';
import type { Llm, LlmMessage } from '../src/llm/types.js';
import { parseReply, type Edit } from '../src/workspace/reply.js';
import type { CodeView, Proposal, ProposeResult, Proposer, ProposerContext, ProposerDeps, ProposerUsage, TryEditsResult } from '../src/types.js';
import { buildCodePrompt, revisionPrompt, type EditFormat } from './code-prompt.js';

export const llmCodeOptions = z
  .object({
    /** How the model is asked to write edits; every form is accepted whatever is asked. */
    edit_format: z.enum(['auto', 'diff', 'search_replace', 'whole']).default('auto'),
    /** Recent trials shown in the prompt. */
    history: z.number().int().min(0).max(1000).default(12),
    /** Prompt size cap in (estimated) tokens: oldest lineage dropped first, then files truncated. */
    token_budget: z.number().int().min(500).max(2_000_000).default(24_000),
    /** Follow-up calls that show the model why its edits did not apply. */
    max_revisions: z.number().int().min(0).max(10).default(2),
    /** Output lines of a failed trial shown (after collapsing repeats and progress bars). */
    tail_lines: z.number().int().min(1).max(200).default(12),
  })
  .strict();

export type LlmCodeOptions = z.infer<typeof llmCodeOptions>;

/** One proposal on its way: its edits and what trying them gave. */
interface Draft {
  n: number;
  hypothesis: string;
  edits: Edit[];
  result: TryEditsResult;
}

const NO_EDIT = 'no edit in the reply';

export class LlmCodeProposer implements Proposer {
  readonly name = 'llm-code';
  readonly side = 'code' as const;
  private readonly llm: Llm;
  private readonly code: CodeView & { release?(): Promise<void> };

  constructor(
    private readonly options: LlmCodeOptions,
    private readonly deps: ProposerDeps,
  ) {
    if (!deps.llm) throw new Error('the llm-code proposer needs a model: add an `llm:` section (model, base_url, api_key_env) to the campaign file.');
    if (!deps.code) throw new Error('the llm-code proposer needs files it may change: add `mutable:` (globs of the files the model may edit) to the campaign file.');
    this.llm = deps.llm;
    this.code = deps.code;
  }

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    const usage: ProposerUsage = { model: this.llm.model, tokens_in: 0, tokens_out: 0, usd: 0 };
    let calls = 0;
    const ask = async (messages: LlmMessage[]): Promise<string> => {
      calls++;
      const reply = await this.llm.complete({ proposer: this.name, messages, signal: ctx.signal });
      usage.tokens_in += reply.usage.tokens_in;
      usage.tokens_out += reply.usage.tokens_out;
      usage.usd += reply.usage.usd;
      return reply.text;
    };
    const withUsage = (proposals: Proposal[]): ProposeResult => (calls > 0 ? { proposals, usage } : { proposals });
    try {
      const base = ctx.incumbent?.commit ?? (await this.code.base());
      const files = await Promise.all((await this.code.list(base)).map(async (p) => ({ path: p, content: await this.code.read(p, base) })));
      const prompt = buildCodePrompt({
        ctx,
        k,
        files,
        format: this.options.edit_format,
        history: this.options.history,
        tokenBudget: this.options.token_budget,
        tailLines: this.options.tail_lines,
        campaign: this.deps.campaign,
      });
      const text = await ask(prompt.messages);
      const parsed = parseReply(text);
      if (!parsed.ok) return withUsage([invalid(firstSentenceOf(text), `${NO_EDIT}: ${parsed.reason}`, base)]);

      const drafts: Draft[] = [];
      for (const p of parsed.proposals.slice(0, k)) {
        drafts.push({ n: drafts.length + 1, hypothesis: p.hypothesis, edits: p.edits, result: await this.code.tryEdits(base, p.edits) });
      }
      // A section without edits beside good ones: a proposal the model forgot to write out.
      for (const r of parsed.rejected.slice(0, Math.max(0, k - drafts.length))) {
        const reason = `${NO_EDIT}: ${r.reason}`;
        drafts.push({ n: drafts.length + 1, hypothesis: r.hypothesis, edits: [], result: { ok: false, reason, feedback: reason } });
      }

      const convo: LlmMessage[] = [...prompt.messages, { role: 'assistant', content: text }];
      let revisions = 0;
      let gaveUp = '';
      for (; revisions < this.options.max_revisions; revisions++) {
        const failed = drafts.filter((d) => !d.result.ok);
        if (failed.length === 0) break;
        convo.push({
          role: 'user',
          content: revisionPrompt(
            failed.map((d) => ({ n: d.n, hypothesis: d.hypothesis, feedback: d.result.ok ? '' : d.result.feedback })),
            this.options.edit_format,
          ),
        });
        let revised: string;
        try {
          revised = await ask(convo);
        } catch (err) {
          // The first call's proposals stand; a failed revision leaves the failed ones invalid.
          if (ctx.signal.aborted) throw err;
          gaveUp = ` (asking for a revision failed: ${(err as Error).message})`;
          break;
        }
        convo.push({ role: 'assistant', content: revised });
        const again = parseReply(revised);
        const fixes = again.ok ? again.proposals : [];
        for (const [i, d] of failed.entries()) {
          const fix = fixes[i];
          if (!fix) {
            const reason = `${NO_EDIT} of the revision${again.ok ? '' : `: ${again.reason}`}`;
            d.result = { ok: false, reason, feedback: reason };
            continue;
          }
          if (fix.hypothesis) d.hypothesis = fix.hypothesis;
          d.edits = fix.edits;
          d.result = await this.code.tryEdits(base, fix.edits);
        }
      }

      return withUsage(
        drafts.map((d): Proposal => {
          if (d.result.ok) return { kind: 'code', hypothesis: d.hypothesis, diff: d.result.diff, base };
          const after = d.edits.length > 0 && revisions > 0 ? ` (after ${revisions} revision${revisions === 1 ? '' : 's'})` : '';
          return invalid(d.hypothesis, `${d.result.reason}${after}${gaveUp}`, base);
        }),
      );
    } finally {
      await this.code.release?.();
    }
  }
}

function invalid(hypothesis: string, reason: string, base: string): Proposal {
  return { kind: 'code', hypothesis: hypothesis || '(no hypothesis)', diff: '', base, invalid: reason };
}

/** A reply without edits still said something: its first line serves as the hypothesis. */
function firstSentenceOf(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/^\s*[#*\s]*(?:hypothesis\s*:\s*)?/i, '').slice(0, 200).trim();
}
