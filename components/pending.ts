// Which queued trial the pending panel shows and which one the review keys (a, r, e) act on.
// Under review manual it is the first code proposal still awaiting approval, so the operator sees
// what holds the queue up; otherwise the head of the queue, which runs next.
import { getTrial, type CampaignState, type TrialState } from '../src/state.js';

export const awaitsApproval = (s: CampaignState, t: TrialState): boolean =>
  s.review === 'manual' && t.status === 'queued' && t.proposal.kind === 'code' && !t.approved;

export function pendingTrial(s: CampaignState): TrialState | undefined {
  if (s.review === 'manual') {
    for (const id of s.queue) {
      const t = getTrial(s, id);
      if (t && awaitsApproval(s, t)) return t;
    }
  }
  return s.queue.length ? getTrial(s, s.queue[0]) : undefined;
}

/**
 * The code proposal a review key acts on: the one under the cursor when it is a queued code
 * proposal, else the pending panel's, else the first queued code proposal.
 */
export function reviewTarget(s: CampaignState, cursor: TrialState | undefined): TrialState | undefined {
  const isQueuedCode = (t: TrialState | undefined): t is TrialState => t !== undefined && t.status === 'queued' && t.proposal.kind === 'code';
  if (isQueuedCode(cursor)) return cursor;
  const pending = pendingTrial(s);
  if (isQueuedCode(pending)) return pending;
  return s.queue.map((id) => getTrial(s, id)).find(isQueuedCode);
}
