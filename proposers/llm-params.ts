// llm-params: a language model proposes points of the search space from the scored history (OPRO
// style). One call asks for k points; invalid ones (outside the space, repeats) go back to the model
// once with the reasons. What the calls cost comes back as usage; the engine journals it.
import { z } from 'zod';
import { LlmError } from '../src/llm/errors.js';
import type { Llm, LlmMessage, LlmReply } from '../src/llm/types.js';
import type { Proposal, ProposeResult, Proposer, ProposerContext, ProposerDeps, ProposerUsage } from '../src/types.js';
import { paramsKey } from './numeric/space.js';
import { candidatePoints, extractJson } from './llm/json.js';
import { paramsPrompt, reaskPrompt } from './llm/params-prompt.js';
import { rejectionText, validatePoints, type Rejected } from './llm/validate.js';

export const llmParamsOptions = z
  .object({
    /** Scored trials in the prompt, best last (OPRO keeps 20). */
    k_history: z.number().int().min(1).max(1000).default(20),
    /** Failed trials in the prompt, newest kept. */
    failed_history: z.number().int().min(0).max(100).default(5),
    /** Rough cap on the prompt in tokens; the worst trials are dropped first to fit. */
    token_budget: z.number().int().min(200).max(1_000_000).default(4000),
  })
  .strict();

export type LlmParamsOptions = z.output<typeof llmParamsOptions>;

export class LlmParamsProposer implements Proposer {
  readonly name = 'llm-params';
  readonly side = 'params' as const;
  private readonly llm: Llm;
  private readonly metric: string;
  private readonly campaignName: string | undefined;

  constructor(
    private readonly options: LlmParamsOptions,
    deps: ProposerDeps,
  ) {
    // The loader refuses a campaign with this proposer and no llm:, so this is a wiring bug.
    if (!deps.llm) throw new Error('llm-params needs a model client (the campaign file has no llm: section)');
    this.llm = deps.llm;
    this.metric = deps.campaign?.metric ?? 'score';
    this.campaignName = deps.campaign?.name;
  }

  async propose(ctx: ProposerContext, k: number): Promise<ProposeResult> {
    const names = Object.keys(ctx.space);
    const seen = new Set(ctx.history.map((t) => paramsKey(t.params)));
    const messages: LlmMessage[] = paramsPrompt(ctx, k, { name: this.campaignName, metric: this.metric }, this.options);
    const usage: ProposerUsage = { model: this.llm.model, tokens_in: 0, tokens_out: 0, usd: 0 };
    const call = async (msgs: LlmMessage[]): Promise<LlmReply> => {
      const reply = await this.llm.complete({ proposer: this.name, messages: msgs, json: true, signal: ctx.signal });
      usage.tokens_in += reply.usage.tokens_in;
      usage.tokens_out += reply.usage.tokens_out;
      usage.usd += reply.usage.usd;
      return reply;
    };

    const first = await call(messages);
    const one = this.read(first.text, ctx, seen, k);
    const valid = one.valid;
    if (one.rejected.length === 0 && valid.length > 0) return this.result(valid, usage);

    // Once more, with the reasons, for the points still missing.
    const missing = k - valid.length;
    if (missing > 0 || valid.length === 0) {
      for (const p of valid) seen.add(paramsKey(p));
      const reasons = one.rejected.length > 0 ? rejectionText(one.rejected) : '- the reply held no points';
      const again: LlmMessage[] = [...messages, { role: 'assistant', content: first.text }, { role: 'user', content: reaskPrompt(reasons, Math.max(1, missing), names) }];
      let second: LlmReply;
      try {
        second = await call(again);
      } catch (err) {
        // The first answer's good points are still worth running; the failed call is in the journal.
        if (valid.length > 0 && !(err instanceof LlmError && err.kind === 'aborted')) return this.result(valid, usage);
        throw err;
      }
      const two = this.read(second.text, ctx, seen, Math.max(1, missing));
      valid.push(...two.valid);
      if (valid.length === 0) {
        const why = two.rejected.length > 0 ? two.rejected[0].reasons.join('; ') : 'the reply held no JSON points';
        throw new Error(`the model gave no usable point after being asked again (${why})`);
      }
    }
    return this.result(valid.slice(0, k), usage);
  }

  private read(text: string, ctx: ProposerContext, seen: ReadonlySet<string>, k: number): { valid: ProposalParams[]; rejected: Rejected[] } {
    const names = Object.keys(ctx.space);
    const points = candidatePoints(extractJson(text), names);
    if (!points) return { valid: [], rejected: [] };
    return validatePoints(ctx.space, points, seen, k);
  }

  private result(valid: ProposalParams[], usage: ProposerUsage): ProposeResult {
    const proposals: Proposal[] = valid.map((params) => ({ kind: 'params', params }));
    return { proposals, usage };
  }
}

type ProposalParams = Extract<Proposal, { kind: 'params' }>['params'];
