// The operator's commands as the state records them: pause and resume dispatch, kill or prune a
// running trial, promote, reorder and drop, switch proposer, approve or reject, quit. Each one is
// also written to the operator log in words.
import { getTrial, updateTrial } from './access.js';
import { moveTo, toFront, without } from './queue.js';
import { HEALTHY, operatorIntent } from './rules.js';
import type { CampaignState, Handlers, OperatorEntry } from './shape.js';

export function logOperator(s: CampaignState, t: number, type: string, text: string): OperatorEntry[] {
  return [...s.operator_log, { t, type, text }];
}

export const withReason = (text: string, reason?: string) => (reason ? `${text} — ${reason}` : text);

export const operatorEvents = {
  'operator.pause': (s, e) => ({ ...s, paused: true, operator_log: logOperator(s, e.t, e.type, withReason('paused dispatch', e.reason)) }),

  // Resuming answers a proposer.ask as well (it had paused dispatch).
  'operator.resume': (s, e) => ({ ...s, paused: false, ask: null, operator_log: logOperator(s, e.t, e.type, withReason('resumed dispatch', e.reason)) }),

  'operator.kill': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t) return s;
    const text = withReason(`${e.mode === 'kill' ? 'killed' : 'pruned'} #${e.id}`, e.reason);
    const cancel = operatorIntent(e.mode, e.reason);
    return { ...updateTrial(s, e.id, { operator: [...t.operator, text], cancel }), operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.promote': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t) return s;
    const text = withReason(t.status === 'queued' ? `promoted queued #${e.id} to run next` : `promoted #${e.id} to incumbent`, e.reason);
    let next = updateTrial(s, e.id, { operator: [...t.operator, text] });
    if (t.status === 'queued') next = { ...next, queue: toFront(next.queue, e.id) };
    else next = { ...next, incumbent: e.id };
    return { ...next, operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.reorder': (s, e) => {
    const moved = moveTo(s.queue, e.id, e.to);
    if (!moved) return s;
    return { ...s, queue: moved.queue, operator_log: logOperator(s, e.t, e.type, withReason(`moved #${e.id} to queue position ${moved.at + 1}`, e.reason)) };
  },

  'operator.drop': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t || t.status !== 'queued') return s;
    const text = withReason(`dropped queued #${e.id}`, e.reason);
    const next = updateTrial(s, e.id, { status: 'dropped', reason: text, operator: [...t.operator, text] });
    return { ...next, queue: without(next.queue, e.id), operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.switch': (s, e) => {
    const text = withReason(`switched proposer ${s.proposer} → ${e.proposer}`, e.reason);
    let next: CampaignState = { ...s, proposer: e.proposer, ...HEALTHY, invalid_streak: { count: 0, reason: '' }, active_reason: withReason('switched by the operator', e.reason), ask: null };
    if (e.drop_queued) {
      // The other side's queued proposals go; the new proposer's own (from an earlier turn) stay.
      for (const id of s.queue) {
        const t = getTrial(next, id);
        if (t && t.proposer !== e.proposer) next = updateTrial(next, id, { status: 'dropped', reason: `dropped when the operator switched to ${e.proposer}` });
      }
      next = { ...next, queue: s.queue.filter((id) => getTrial(next, id)?.status === 'queued') };
    }
    return { ...next, operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.approve': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t || t.status !== 'queued') return s;
    const text = withReason(`approved #${e.id}`, e.reason);
    return { ...updateTrial(s, e.id, { approved: true, operator: [...t.operator, text] }), operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.reject': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t || t.status !== 'queued') return s;
    const text = withReason(`rejected #${e.id}`, e.reason);
    const next = updateTrial(s, e.id, { status: 'dropped', reason: text, operator: [...t.operator, text] });
    // The note is for the model: it reads why the operator refused this proposal in its next prompts.
    const what = t.proposal.kind === 'code' ? `the proposal "${t.proposal.hypothesis}"` : `proposal #${e.id}`;
    const notes = e.reason ? [...s.notes, `The operator rejected ${what}: ${e.reason}`] : s.notes;
    return { ...next, queue: without(next.queue, e.id), notes, operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.edit': (s, e) => {
    const t = getTrial(s, e.id);
    if (!t || t.status !== 'queued' || t.proposal.kind !== 'code') return s;
    const text = withReason(`edited the diff of #${e.id}`, e.reason);
    const proposal = { ...t.proposal, diff: e.diff };
    // A commit made from the old diff no longer describes the trial: it is prepared again.
    const cleared = { commit: undefined, workdir: undefined, digest: undefined, base: undefined };
    return { ...updateTrial(s, e.id, { proposal, edited: true, ...cleared, operator: [...t.operator, text] }), operator_log: logOperator(s, e.t, e.type, text) };
  },

  'operator.note': (s, e) => ({ ...s, notes: [...s.notes, e.text], invalid_streak: { count: 0, reason: '' }, operator_log: logOperator(s, e.t, e.type, `note: ${e.text}`) }),

  'operator.review': (s, e) => ({
    ...s,
    review: e.mode,
    operator_log: logOperator(s, e.t, e.type, e.mode === 'manual' ? 'code proposals now wait for approval' : 'code proposals now run without approval'),
  }),

  'operator.quit': (s, e) => ({
    ...s,
    operator_log: logOperator(s, e.t, e.type, withReason(e.leave_running ? 'quit, leaving trials running' : 'quit', e.reason)),
  }),
} satisfies Handlers;
