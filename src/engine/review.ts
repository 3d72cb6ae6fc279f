// The operator's say over code proposals and the proposers' two sides: approve, reject with a note,
// replace a diff, notes for the models, the review mode, and the params ⇄ code switch. Like
// commands.ts: each checks it makes sense now, journals the intent and returns a message.
import { getTrial, type TrialState } from '../state.js';
import type { ProposerSide } from '../types.js';
import type { CommandCore, CommandResult } from './commands.js';

/** A note longer than this is refused: it goes into every later prompt of both LLM proposers. */
export const NOTE_MAX = 500;

/** The queued code proposal `id`, not already being started, or why not. */
function queuedCode(core: CommandCore, id: number): TrialState | string {
  const t = getTrial(core.state, id);
  if (!t) return `no trial #${id}`;
  if (t.status !== 'queued' || core.starting(id)) return `#${id} is not queued (${t.status === 'queued' ? 'starting' : t.status})`;
  if (t.proposal.kind !== 'code') return `#${id} is a params proposal: only code proposals are reviewed`;
  return t;
}

export function approve(core: CommandCore, id: number, reason?: string): CommandResult {
  const t = queuedCode(core, id);
  if (typeof t === 'string') return { ok: false, message: t };
  if (t.approved) return { ok: false, message: `#${id} is already approved` };
  core.emit({ type: 'operator.approve', id, reason });
  core.kick();
  return { ok: true, message: core.state.review === 'manual' ? `approved #${id}: it runs when a slot is free` : `approved #${id}` };
}

export function reject(core: CommandCore, id: number, note?: string): CommandResult {
  const t = queuedCode(core, id);
  if (typeof t === 'string') return { ok: false, message: t };
  const reason = oneLine(note ?? '') || undefined;
  if (reason && reason.length > NOTE_MAX) return { ok: false, message: `the note has ${reason.length} characters; at most ${NOTE_MAX}` };
  core.emit({ type: 'operator.reject', id, reason });
  core.kick();
  return { ok: true, message: reason ? `rejected #${id}; the note goes into the next prompts` : `rejected #${id}` };
}

/**
 * A unified diff as `git diff` writes it, at least: a `+++` file header and a hunk. The engine's
 * prepare stage applies it and says precisely what does not apply; this catches an emptied or
 * mangled file before it costs a prepare.
 */
export function diffProblem(diff: string): string | null {
  if (!diff.trim()) return 'the diff is empty (to drop the proposal, reject it)';
  const lines = diff.split(/\r?\n/);
  if (!lines.some((l) => l.startsWith('+++ '))) return 'that is not a unified diff: no "+++ b/<file>" header';
  if (!lines.some((l) => /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/.test(l))) return 'that is not a unified diff: no "@@ -a,b +c,d @@" hunk header';
  return null;
}

export function editDiff(core: CommandCore, id: number, diff: string, reason?: string): CommandResult {
  const t = queuedCode(core, id);
  if (typeof t === 'string') return { ok: false, message: t };
  const text = diff.endsWith('\n') ? diff : `${diff}\n`;
  const problem = diffProblem(text);
  if (problem) return { ok: false, message: `#${id} not changed: ${problem}` };
  if (t.proposal.kind === 'code' && t.proposal.diff === text) return { ok: false, message: `#${id}: the diff is unchanged` };
  core.emit({ type: 'operator.edit', id, diff: text, reason });
  core.kick();
  return { ok: true, message: `#${id} now runs your diff (prepared again before it starts)` };
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function addNote(core: CommandCore, text: string): CommandResult {
  const note = oneLine(text);
  if (!note) return { ok: false, message: 'an empty note: nothing added' };
  if (note.length > NOTE_MAX) return { ok: false, message: `the note has ${note.length} characters; at most ${NOTE_MAX}` };
  core.emit({ type: 'operator.note', text: note });
  return { ok: true, message: `note added (${core.state.notes.length} in every later prompt)` };
}

export function setReview(core: CommandCore, mode: 'auto' | 'manual'): CommandResult {
  if (core.state.review === mode) return { ok: false, message: `review is already ${mode}` };
  core.emit({ type: 'operator.review', mode });
  // Going to auto frees the proposals that were waiting.
  core.kick();
  return { ok: true, message: mode === 'manual' ? 'review manual: code proposals wait for a (approve), r (reject) or e (edit)' : 'review auto: code proposals run without approval' };
}

export const otherSide = (side: ProposerSide): ProposerSide => (side === 'code' ? 'params' : 'code');

/** The proposer the params ⇄ code switch goes to: the first configured one of the other side. */
export function sideTarget(core: CommandCore): { from: ProposerSide; to: ProposerSide; proposer: string | undefined } {
  const from = core.proposerSide(core.state.proposer);
  const to = otherSide(from);
  return { from, to, proposer: core.proposerNames().find((n) => core.proposerSide(n) === to) };
}

export function switchSide(core: CommandCore, dropQueued: boolean, reason?: string): CommandResult {
  const { from, to, proposer } = sideTarget(core);
  if (!proposer) {
    const have = core.proposerNames().map((n) => `${n} (${core.proposerSide(n)})`).join(', ');
    return { ok: false, message: `no ${to} proposer is configured (have: ${have}): add one under proposer: (or use hybrid) to switch` };
  }
  const asked = core.state.ask !== null && core.state.paused;
  const dropped = core.state.queue.filter((id) => getTrial(core.state, id)?.proposer !== proposer).length;
  core.emit({ type: 'operator.switch', proposer, drop_queued: dropQueued || undefined, reason });
  // The switch answers the hybrid's question, which had paused dispatch.
  if (asked) core.emit({ type: 'operator.resume', reason: `switched to the ${to} side` });
  core.abortProposing();
  core.kick();
  const queued = dropQueued ? `dropped ${dropped} queued ${from} proposal(s)` : 'queued proposals kept';
  return { ok: true, message: `next proposals come from ${proposer} (${to}); ${queued}` };
}
