// A model client that refuses to make a call once something says no (the USD budget is spent), so
// "no model call after the limit" holds even inside one propose() that asks twice.
import { LlmError } from './errors.js';
import type { CompleteRequest, Llm, LlmReply } from './types.js';

export function guardLlm(llm: Llm, refuse: () => string | null): Llm {
  return {
    model: llm.model,
    complete(req: CompleteRequest): Promise<LlmReply> {
      const why = refuse();
      if (why) return Promise.reject(new LlmError('aborted', `no model call made: ${why}.`));
      return llm.complete(req);
    },
  };
}
