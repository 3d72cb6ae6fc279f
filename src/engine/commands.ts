// Operator commands: each checks it makes sense now, journals the operator's intent, and carries it
// out through the engine. They return a message for the status line instead of throwing.
import type { EventBody } from '../events.js';
import { getTrial, type CampaignState } from '../state.js';
import { operatorIntent, type CancelIntent } from '../state/rules.js';
import type { ProposerSide } from '../types.js';
import type { LiveTrial } from './live.js';

export interface CommandResult {
  ok: boolean;
  message: string;
}

/** What the commands need of the engine. */
export interface CommandCore {
  readonly state: CampaignState;
  emit(body: EventBody): void;
  kick(): void;
  /** A trial the engine is watching and has not started deciding, or undefined. */
  watched(id: number): LiveTrial | undefined;
  /** A queued trial whose start is under way (it leaves the queue once started). */
  starting(id: number): boolean;
  requestCancel(live: LiveTrial, intent: CancelIntent, journaled: boolean): boolean;
  proposerNames(): string[];
  /** Which side a configured proposer is on (params unless it says code). */
  proposerSide(name: string): ProposerSide;
  abortProposing(): void;
}

export function pause(core: CommandCore, reason?: string): CommandResult {
  if (core.state.paused) return { ok: false, message: 'already paused' };
  core.emit({ type: 'operator.pause', reason });
  return { ok: true, message: 'paused: running trials go on, nothing new starts' };
}

export function resumeDispatch(core: CommandCore, reason?: string): CommandResult {
  if (!core.state.paused) return { ok: false, message: 'not paused' };
  core.emit({ type: 'operator.resume', reason });
  core.kick();
  return { ok: true, message: 'resumed dispatch' };
}

/** mode prune: cooperative stop, status pruned. mode kill: SIGKILL the process group, status killed. */
export function stopTrial(core: CommandCore, id: number, mode: 'prune' | 'kill', reason?: string): CommandResult {
  const live = core.watched(id);
  if (!live) return { ok: false, message: `#${id} is not running` };
  if (!live.handle || live.handle.ended()) return { ok: false, message: `#${id} has already exited; it is judged by its exit` };
  // operator.kill is the journaled intent (the state reads it as one).
  core.emit({ type: 'operator.kill', id, mode, reason });
  core.requestCancel(live, operatorIntent(mode, reason), true);
  return { ok: true, message: `${mode === 'kill' ? 'killing' : 'pruning'} #${id}` };
}

export function promote(core: CommandCore, id: number, reason?: string): CommandResult {
  const t = getTrial(core.state, id);
  if (!t) return { ok: false, message: `no trial #${id}` };
  if (t.status === 'running') return { ok: false, message: `#${id} is already running` };
  if (t.status !== 'queued' && (t.score === null || (t.status !== 'keep' && t.status !== 'discard'))) {
    return { ok: false, message: `#${id} has no score (${t.status}); only scored trials can become the incumbent` };
  }
  core.emit({ type: 'operator.promote', id, reason });
  core.kick();
  return { ok: true, message: t.status === 'queued' ? `#${id} runs next` : `#${id} is plotted as the incumbent until a new best (proposers and keep/discard still go by the best)` };
}

/** Moves a queued trial by `delta` places (negative: earlier). */
export function reorder(core: CommandCore, id: number, delta: number, reason?: string): CommandResult {
  const queue = core.state.queue;
  const i = queue.indexOf(id);
  if (i < 0 || core.starting(id)) return { ok: false, message: `#${id} is not queued` };
  const to = Math.max(0, Math.min(queue.length - 1, i + delta));
  if (to === i) return { ok: false, message: `#${id} is already ${delta < 0 ? 'first' : 'last'}` };
  core.emit({ type: 'operator.reorder', id, to, reason });
  return { ok: true, message: `#${id} moved to position ${to + 1}` };
}

export function drop(core: CommandCore, id: number, reason?: string): CommandResult {
  if (!core.state.queue.includes(id) || core.starting(id)) return { ok: false, message: `#${id} is not queued` };
  core.emit({ type: 'operator.drop', id, reason });
  core.kick();
  return { ok: true, message: `dropped #${id}` };
}

export function switchProposer(core: CommandCore, name: string, reason?: string): CommandResult {
  const names = core.proposerNames();
  if (!names.includes(name)) return { ok: false, message: `${name} is not configured (have: ${names.join(', ')})` };
  if (core.state.proposer === name) return { ok: false, message: `${name} is already active` };
  const asked = core.state.ask !== null && core.state.paused;
  core.emit({ type: 'operator.switch', proposer: name, reason });
  // The switch answers the hybrid's question, which had paused dispatch.
  if (asked) core.emit({ type: 'operator.resume', reason: `switched to ${name}` });
  core.abortProposing();
  core.kick();
  return { ok: true, message: `next proposals come from ${name}` };
}
