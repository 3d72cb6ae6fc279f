// A model client that refuses to make a call once something says no (the USD budget is spent), so
// "no model call after the limit" holds even inside one propose() that asks twice.
import type { CompleteRequest, Llm, LlmReply } from './types.js';

export function guardLlm(llm: Llm, refuse: () => string | null): Llm {
  return {
    model: llm.model,
    complete(req: CompleteRequest): Promise<LlmReply> {
      const why = refuse();
      // A plain Error, not an LlmError: nothing was asked of the server, and a proposer holding good
      // points from an earlier call of the same propose() may still return them.
      if (why) return Promise.reject(new Error(`no model call made: ${why}`));
      return llm.complete(req);
    },
  };
}
