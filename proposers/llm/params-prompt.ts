// The llm-params prompt (OPRO, Yang et al. 2023): the objective and its direction, the space with
// types and bounds, the scored history sorted so the best comes last, failed trials briefly, the
// points already queued or running, the operator's notes, and the request for k new points that
// differ from all above and beat them. Capped to a token budget: the worst (then oldest) scored
// trials and the oldest failures are dropped first, so the best results always reach the model.
import { estimateTokens } from '../../src/llm/price.js';
import type { LlmMessage } from '../../src/llm/types.js';
import type { Goal, ParamSpec, Params, ProposerContext, TrialView } from '../../src/types.js';

export interface PromptOptions {
  /** Scored trials shown at most (OPRO keeps the top 20). */
  k_history: number;
  /** Failed trials shown at most. */
  failed_history: number;
  /** Rough cap on the prompt, in tokens (about 4 characters each). */
  token_budget: number;
}

export interface PromptCampaign {
  name?: string;
  metric: string;
}

const num = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));
const point = (p: Params): string => JSON.stringify(p, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v));

export function describeSpec(name: string, spec: ParamSpec): string {
  if (spec.type === 'categorical') return `- ${name}: one of ${JSON.stringify(spec.choices)}`;
  const kind = spec.type === 'int' ? 'integer' : 'float';
  const extra = [spec.log ? 'log scale (search it in orders of magnitude)' : '', spec.step !== undefined ? `step ${num(spec.step)} from ${num(spec.low)}` : ''].filter(Boolean);
  return `- ${name}: ${kind} from ${num(spec.low)} to ${num(spec.high)} inclusive${extra.length ? `, ${extra.join(', ')}` : ''}`;
}

/** Worst first, best last; equal scores: the older first (so it is dropped first). */
export function sortedScored(history: readonly TrialView[], goal: Goal): TrialView[] {
  const scored = history.filter((t) => t.score !== null && Number.isFinite(t.score));
  const better = goal === 'minimize' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  return scored.sort((a, b) => (better(a.score!, b.score!) ? 1 : better(b.score!, a.score!) ? -1 : a.id - b.id));
}

const FAILED: ReadonlySet<string> = new Set(['crash', 'timeout', 'pruned', 'invalid', 'killed']);
const PENDING: ReadonlySet<string> = new Set(['queued', 'running']);

export const SYSTEM = 'You are an optimization assistant choosing hyperparameters for machine-learning experiments. You read the results so far and propose new points likely to do better. Reply with a JSON object only.';

export function paramsPrompt(ctx: ProposerContext, k: number, campaign: PromptCampaign, opts: PromptOptions): LlmMessage[] {
  const lower = ctx.goal === 'minimize';
  const m = campaign.metric;
  const names = Object.keys(ctx.space);
  const header = [
    `${campaign.name ? `Campaign ${campaign.name}. ` : ''}Objective: ${ctx.goal} ${m} (${lower ? 'lower' : 'higher'} is better).`,
    '',
    'Search space:',
    ...names.map((n) => describeSpec(n, ctx.space[n])),
  ];
  let scored = sortedScored(ctx.history, ctx.goal).slice(-opts.k_history);
  let failed = ctx.history.filter((t) => FAILED.has(t.status)).slice(-opts.failed_history);
  const pending = ctx.history.filter((t) => PENDING.has(t.status));
  const notes = ctx.notes ?? [];
  const ask = [
    `Give ${k} new point${k === 1 ? '' : 's'} that ${k === 1 ? 'is' : 'are'} different from all the points above and ${lower ? 'lower' : 'higher'} in ${m} than all of them${k > 1 ? ', and different from each other' : ''}.`,
    `Reply with a JSON object {"points": [${'{' + names.map((n) => `"${n}": …`).join(', ') + '}'}, …]} holding exactly ${k} point${k === 1 ? '' : 's'}: every parameter, no other keys, values within the bounds.`,
  ];
  const build = (): string => {
    const parts = [...header, ''];
    if (scored.length > 0) {
      parts.push(`Previous trials and their ${m}, sorted from worst to best (the best is last):`);
      for (const t of scored) parts.push(`params: ${point(t.params)}  ${m}: ${num(t.score!)}`);
    } else parts.push(`No trial has a ${m} yet.`);
    if (failed.length > 0) {
      parts.push('', 'Trials that failed (no score):');
      for (const t of failed) parts.push(`params: ${point(t.params)}  ${t.status}${t.reason ? `: ${oneLine(t.reason)}` : ''}`);
    }
    if (pending.length > 0) {
      parts.push('', 'Points already queued or running (do not repeat them):');
      for (const t of pending) parts.push(`params: ${point(t.params)}`);
    }
    if (notes.length > 0) {
      parts.push('', "The operator's notes (follow them):");
      for (const n of notes) parts.push(`- ${oneLine(n)}`);
    }
    parts.push('', ...ask);
    return parts.join('\n');
  };
  let text = build();
  // Over the budget: the oldest failures go first, then the worst scored trials (the best stay).
  while (estimateTokens(SYSTEM + text) > opts.token_budget && (failed.length > 0 || scored.length > 1)) {
    if (failed.length > 0) failed = failed.slice(1);
    else scored = scored.slice(1);
    text = build();
  }
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: text },
  ];
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}

export function reaskPrompt(rejections: string, missing: number, names: readonly string[]): string {
  return [
    'Some of those points cannot be used:',
    rejections,
    '',
    `Give ${missing} replacement point${missing === 1 ? '' : 's'} that fix${missing === 1 ? 'es' : ''} these problems, again different from every point above and better than all of them.`,
    `Reply with a JSON object {"points": [...]} whose points have exactly the keys ${names.join(', ')}.`,
  ].join('\n');
}
