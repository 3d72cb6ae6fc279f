// The headless printer: one concise line per event that matters, for nohup, CI and pipes. No Ink.
import type { NightshiftEvent } from './events.js';
import { escalationText, getTrial, type CampaignState, type TrialState } from './state.js';
import type { Params } from './types.js';
import { countsSummary } from './report.js';
import { formatScore } from './format/number.js';
import { describeParams as describeParamsIn } from './format/params.js';
import { sanitizeLine } from './format/sanitize.js';
import { formatClock, formatDuration } from './format/time.js';

const STATUS_WIDTH = 8;
/** A line's params: 80 cells, numbers to 4 significant digits (as the TUI's one-line lists print them). */
const PARAMS_WIDTH = 80;
const PARAMS_DIGITS = 4;
const describeParams = (p: Params): string => describeParamsIn(p, PARAMS_WIDTH, false, PARAMS_DIGITS);

/**
 * The line(s) to print for an event, or null. Cleaned of terminal control sequences: reasons
 * quote trial output and proposer errors, and a journal written by an older version may hold
 * them raw.
 */
export function formatEvent(e: NightshiftEvent, s: CampaignState): string | null {
  const text = describeEvent(e, s);
  return text === null ? null : text.split('\n').map(sanitizeLine).join('\n');
}

function describeEvent(e: NightshiftEvent, s: CampaignState): string | null {
  const at = `[${formatClock(e.t - s.started_at)}]`;
  const trial = 'id' in e ? getTrial(s, e.id) : undefined;
  switch (e.type) {
    case 'campaign.started':
      return `${at} campaign ${e.name}: metric ${e.metric} (${e.goal}), proposer ${e.proposer}, ${e.parallel} slot${e.parallel > 1 ? 's' : ''}${e.budget.trials ? `, ${e.budget.trials} trials` : ''}`;
    case 'campaign.resumed':
      return `${at} resumed campaign ${s.name}: ${s.trial_count} trials in the journal, ${s.running.length} running${e.torn_line ? ' (a torn last journal line was dropped)' : ''}`;
    case 'trial.started':
      return `${at} #${e.id} ${'start'.padEnd(STATUS_WIDTH)} ${describeTrial(trial)}  (${e.host}, pid ${e.locator?.pid ?? e.pid})`;
    case 'trial.decided': {
      const score = e.score !== null ? `${s.metric}=${formatScore(e.score)}  ` : '';
      const line = `${at} #${e.id} ${e.status.padEnd(STATUS_WIDTH)} ${score}${e.reason}  ${formatDuration(trial?.duration_ms)}`;
      return e.best ? `${line}\n${at} ★ new best #${e.id} ${s.metric}=${formatScore(e.score)}  ${describeTrial(trial)}` : line;
    }
    case 'budget.exhausted':
      return `${at} budget: ${e.reason}${s.running.length ? `; waiting for ${s.running.length} running trial(s)` : ''}`;
    case 'campaign.finished': {
      const best = s.best !== null ? getTrial(s, s.best) : undefined;
      return `${at} finished: ${e.reason}. Trials: ${countsSummary(s)}. ${best ? `Best #${best.id} ${s.metric}=${formatScore(best.score)}  ${describeTrial(best)}` : 'No trial was scored.'}`;
    }
    // Remote hosts coming and going (the local runner's one host.up at start is not news).
    case 'host.up':
      return e.reason.startsWith('local machine') ? null : `${at} host ${e.host} up: ${e.reason}`;
    case 'host.down':
      // Its trials keep running on the host while it reconnects; host_grace decides when they are lost.
      return e.reconnecting ? `${at} host ${e.host} lost its connection, reconnecting: ${e.reason}` : `${at} host ${e.host} down: ${e.reason}`;
    case 'host.warning':
      return `${at} host ${e.host} warning: ${e.reason}`;
    case 'proposer.failed':
      return `${at} proposer ${e.proposer} failed: ${e.error}`;
    case 'workspace.warning':
      return `${at} git: ${e.message}`;
    case 'proposer.escalated':
      return `${at} ${escalationText(e)}`;
    case 'proposer.fell_back':
      return `${at} proposer fell back ${e.from} → ${e.to}: ${e.reason}`;
    case 'proposer.ask':
      // Headless has no keys: say what answers it.
      return `${at} paused, asking the operator: ${e.reason}. Switch side (S) or resume (p) in the TUI; or stop and \`nightshift resume\`, which resumes dispatch`;
    case 'operator.quit':
      return `${at} ${e.leave_running ? 'leaving trials running; `nightshift resume` re-attaches' : 'stopping: running trials get a cooperative stop and are re-queued for `resume`'}`;
    default:
      if (e.type.startsWith('operator.')) {
        const last = s.operator_log[s.operator_log.length - 1];
        return last ? `${at} operator: ${last.text}` : null;
      }
      return null;
  }
}

/** A trial in one line: its params, and for a code trial its hypothesis and commit first. */
function describeTrial(t: TrialState | undefined): string {
  if (!t) return '';
  const params = describeParams(t.params);
  if (t.proposal.kind !== 'code') return params;
  const h = sanitizeLine(t.proposal.hypothesis);
  const code = `code "${h.length > 70 ? `${h.slice(0, 69)}…` : h}"${t.commit ? ` @${t.commit.slice(0, 7)}` : ''}`;
  return params ? `${code}  ${params}` : code;
}
