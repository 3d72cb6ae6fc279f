// What a propose() call says besides its proposals: what it cost, and whether the proposer asks to
// hand over to the other side (params ⇄ code). Pure: the engine journals what these return.
import type { EventOf } from '../events.js';
import type { ProposeResult, Proposer, ProposerUsage } from '../types.js';

type Body<T extends 'proposer.usage' | 'proposer.escalated'> = Omit<EventOf<T>, 'v' | 'seq' | 't'>;

export function usageEvent(proposer: string, usage: ProposerUsage): Body<'proposer.usage'> {
  return { type: 'proposer.usage', proposer, model: usage.model, tokens_in: usage.tokens_in, tokens_out: usage.tokens_out, usd: usage.usd };
}

/**
 * The journaled form of a switch request, or null when there is none. The proposer that takes over
 * is the first configured one (campaign-file order) of the side asked for, other than the asker;
 * with none, the event records the request and the active proposer stays.
 */
export function escalationEvent(from: string, result: ProposeResult, proposers: ReadonlyMap<string, Proposer>): Body<'proposer.escalated'> | null {
  const request = result.switchTo;
  if (!request) return null;
  const to = [...proposers].find(([name, p]) => name !== from && (p.side ?? 'params') === request.side)?.[0];
  return { type: 'proposer.escalated', from, ...(to !== undefined ? { to } : {}), side: request.side, reason: request.reason };
}
