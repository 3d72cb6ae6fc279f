// The llm-code prompt: the mutable files at the incumbent's commit, the lineage of recent trials
// (hypothesis, status, score, delta to the incumbent, why it failed, a collapsed output tail), what
// the parameter search found when escalated from it, and the operator's notes; kept under a token
// budget by dropping the oldest lineage first, then truncating the largest files. Pure.
import { estimateTokens } from '../src/llm/price.js';
import type { LlmMessage } from '../src/llm/types.js';
import type { Goal, ProposerContext, TrialView } from '../src/types.js';
import { collapseOutput } from './code-tail.js';

export type EditFormat = 'auto' | 'diff' | 'search_replace' | 'whole';

export interface PromptInput {
  ctx: Pick<ProposerContext, 'goal' | 'history' | 'incumbent' | 'notes' | 'escalation'>;
  k: number;
  files: { path: string; content: string }[];
  format: EditFormat;
  history: number;
  tokenBudget: number;
  tailLines: number;
  campaign?: { name: string; metric: string; command: string };
}

const FAILED = new Set(['crash', 'timeout', 'invalid', 'pruned', 'killed', 'lost']);
/** Files are never cut below this many lines: some code is better than none. */
const MIN_FILE_LINES = 20;

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());

const EXAMPLES: Record<Exclude<EditFormat, 'auto'>, string> = {
  search_replace: [
    'SEARCH/REPLACE blocks: the file path alone on a line, then a fenced block:',
    'train.py',
    '```python',
    '<<<<<<< SEARCH',
    'lr = 0.1',
    '=======',
    'lr = 0.05',
    '>>>>>>> REPLACE',
    '```',
    'SEARCH must copy existing lines of the file exactly (enough of them to be unique).',
  ].join('\n'),
  diff: [
    'a unified diff in a ```diff block, with --- a/<path> and +++ b/<path> headers:',
    '```diff',
    '--- a/train.py',
    '+++ b/train.py',
    '@@ -1,1 +1,1 @@',
    '-lr = 0.1',
    '+lr = 0.05',
    '```',
  ].join('\n'),
  whole: ['a whole-file rewrite: the file path alone on a line, then a fenced block with the complete new file:', 'train.py', '```python', '<every line of the new train.py>', '```'].join('\n'),
};

export function formatInstructions(format: EditFormat): string {
  if (format !== 'auto') return `Write each proposal's edits as ${EXAMPLES[format]}`;
  return [
    `Write each proposal's edits as ${EXAMPLES.search_replace}`,
    `For a small file you may instead give ${EXAMPLES.whole}`,
    `You may also give ${EXAMPLES.diff}`,
  ].join('\n\n');
}

function system(format: EditFormat): string {
  return [
    'You are a research engineer improving a training script by careful, testable code changes.',
    'Each change runs as one experiment under a fixed evaluator; you only see and edit the mutable files below.',
    'Reply with the proposals only, each in this form:',
    '### Proposal 1\nHypothesis: <one sentence: what you change and why it should improve the metric>\n<edits>',
    formatInstructions(format),
  ].join('\n\n');
}

function delta(t: TrialView, inc: TrialView | null, goal: Goal): string {
  if (t.score === null || !inc || inc.score === null || inc.id === t.id) return '';
  const d = t.score - inc.score;
  const better = goal === 'minimize' ? d < 0 : d > 0;
  return ` (${d >= 0 ? '+' : ''}${fmt(d)} vs incumbent, ${d === 0 ? 'same' : better ? 'better' : 'worse'})`;
}

function params(p: TrialView['params']): string {
  return Object.entries(p).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : String(v)}`).join(', ');
}

/** One lineage entry (several lines for a failed trial). */
export function lineageEntry(t: TrialView, inc: TrialView | null, goal: Goal, tailLines: number): string {
  const what = t.hypothesis !== undefined ? `code: ${t.hypothesis || '(no hypothesis)'}` : `params: ${params(t.params) || '(none)'}`;
  const score = t.score !== null ? ` score=${fmt(t.score)}${delta(t, inc, goal)}` : '';
  const mark = inc?.id === t.id ? ' [incumbent]' : '';
  const lines = [`- #${t.id} ${t.status}${score}${mark} [${t.proposer}] ${what}`];
  if (FAILED.has(t.status)) {
    if (t.reason) lines.push(`  why: ${t.reason}`);
    const tail = collapseOutput(t.summary, tailLines);
    if (tail && tail !== t.reason) lines.push(...tail.split('\n').map((l) => `  | ${l}`));
  }
  return lines.join('\n');
}

function escalationSection(input: PromptInput): string {
  const esc = input.ctx.escalation;
  if (!esc) return '';
  const tried = input.ctx.history.filter((t) => t.proposer === esc.from && t.hypothesis === undefined);
  const scored = tried.filter((t) => t.score !== null);
  const best = scored.reduce<TrialView | null>((b, t) => (b === null || (input.ctx.goal === 'minimize' ? t.score! < b.score! : t.score! > b.score!) ? t : b), null);
  const lines = [`## Why code edits now\nThe parameter search (${esc.from}) handed over to you: ${esc.reason}`];
  lines.push(`It ran ${tried.length} trial(s), ${scored.length} scored.`);
  if (best) lines.push(`Its best: #${best.id} score=${fmt(best.score!)} with ${params(best.params)}.`);
  return lines.join('\n');
}

function fence(content: string): string {
  // A fence longer than any backtick run inside the file, so the file cannot close it early.
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function filesSection(files: PromptInput['files']): string {
  return files
    .map((f) => {
      const f3 = fence(f.content);
      return `${f.path}\n${f3}\n${f.content.replace(/\n$/, '')}\n${f3}`;
    })
    .join('\n\n');
}

function userPrompt(input: PromptInput, lineage: string[], files: PromptInput['files']): string {
  const { ctx, k, campaign } = input;
  const parts: string[] = [];
  const goal = ctx.goal === 'minimize' ? 'lower is better' : 'higher is better';
  parts.push(
    campaign
      ? `## Campaign ${campaign.name}\nMetric: ${campaign.metric} (${goal}). Each trial runs: ${campaign.command}`
      : `## Campaign\nThe metric: ${goal}.`,
  );
  const inc = ctx.incumbent;
  parts.push(inc ? `The incumbent (best so far) is trial #${inc.id}${inc.score !== null ? ` with score ${fmt(inc.score)}` : ''}; the files below are its code.` : 'No trial has scored yet; the files below are the starting code.');
  parts.push(`## Mutable files\n${filesSection(files)}`);
  if (lineage.length > 0) parts.push(`## Recent trials (oldest first)\n${lineage.join('\n')}`);
  const esc = escalationSection(input);
  if (esc) parts.push(esc);
  if (ctx.notes && ctx.notes.length > 0) parts.push(`## Operator notes (follow them)\n${ctx.notes.map((n) => `- ${n}`).join('\n')}`);
  parts.push(
    `## Task\nPropose ${k} different code change${k === 1 ? '' : 's'} that should improve the metric${k > 1 ? ': make them diverse, each testing a distinct idea' : ''}. ` +
      'Do not repeat a change that was already tried, and learn from the failures above. ' +
      `Number them ### Proposal 1${k > 1 ? ` to ### Proposal ${k}` : ''}, each with one Hypothesis line and its edits.`,
  );
  return parts.join('\n\n');
}

function truncate(content: string, keepLines: number): string {
  const lines = content.replace(/\n$/, '').split('\n');
  if (lines.length <= keepLines) return content;
  return `${lines.slice(0, keepLines).join('\n')}\n# … [${lines.length - keepLines} more lines not shown: the prompt's token budget]\n`;
}

export interface BuiltPrompt {
  messages: LlmMessage[];
  /** Lineage entries left out and files cut to fit the budget (for tests and the call's record). */
  dropped: number;
  truncated: string[];
}

export function buildCodePrompt(input: PromptInput): BuiltPrompt {
  const { ctx } = input;
  const recent = ctx.history.filter((t) => t.status !== 'dropped').slice(-input.history);
  const lineage = recent.map((t) => lineageEntry(t, ctx.incumbent, ctx.goal, input.tailLines));
  let files = input.files.map((f) => ({ ...f }));
  const sys = system(input.format);
  const size = (): number => estimateTokens(sys) + estimateTokens(userPrompt(input, lineage, files));
  let dropped = 0;
  while (size() > input.tokenBudget && lineage.length > 0) {
    lineage.shift();
    dropped++;
  }
  const truncated = new Set<string>();
  while (size() > input.tokenBudget) {
    // Cut the largest file that can still shrink, by the excess (at least a tenth of it).
    const lengths = files.map((f) => f.content.split('\n').length);
    let at = -1;
    for (let i = 0; i < files.length; i++) if (lengths[i] > MIN_FILE_LINES + 1 && (at < 0 || files[i].content.length > files[at].content.length)) at = i;
    if (at < 0) break;
    const excessChars = (size() - input.tokenBudget) * 4;
    const avg = Math.max(1, files[at].content.length / lengths[at]);
    const keep = Math.max(MIN_FILE_LINES, Math.min(Math.floor(lengths[at] * 0.9), lengths[at] - Math.ceil(excessChars / avg) - 1));
    files = files.map((f, i) => (i === at ? { ...f, content: truncate(f.content, keep) } : f));
    truncated.add(files[at].path);
  }
  return {
    messages: [
      { role: 'system', content: sys },
      { role: 'user', content: userPrompt(input, lineage, files) },
    ],
    dropped,
    truncated: [...truncated],
  };
}

/** The follow-up asking the model to fix the proposals whose edits did not apply. */
export function revisionPrompt(failed: { n: number; hypothesis: string; feedback: string }[], format: EditFormat): string {
  const each = failed.map((f, i) => `### Proposal ${i + 1} (was proposal ${f.n}: ${f.hypothesis || 'no hypothesis'})\n${f.feedback}`).join('\n\n');
  return [
    `${failed.length === 1 ? 'This proposal' : 'These proposals'} could not be applied to the files:`,
    each,
    `Reply with a corrected version of ${failed.length === 1 ? 'it' : 'each, in the same order'}, numbered ### Proposal 1${failed.length > 1 ? ` to ### Proposal ${failed.length}` : ''}, each with its Hypothesis line and complete edits against the original files (not against your earlier attempt).`,
    formatInstructions(format),
  ].join('\n\n');
}
