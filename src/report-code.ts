// The code-trial part of `report`: the kept commits (the lab notebook's headlines) and, per code
// proposer, how often its edits applied, passed pre-flight, and crashed once they ran.
import { allTrials, type CampaignState, type TrialState } from './state.js';

const APPLY = /^edit does not apply/;
const PREFLIGHT = /^(does not compile|pre-flight failed|duplicate of)/;

export interface CodeRates {
  proposer: string;
  /** Code proposals that reached a verdict or a commit (queued and dropped ones not counted). */
  proposals: number;
  applied: number;
  preflighted: number;
  ran: number;
  crashed: number;
}

const isCode = (t: TrialState) => t.proposal.kind === 'code';

export function keptCommits(s: CampaignState): Array<{ id: number; commit: string; hypothesis: string; score: number | null }> {
  return allTrials(s)
    .filter((t) => isCode(t) && t.status === 'keep' && t.commit)
    .map((t) => ({ id: t.id, commit: t.commit!, hypothesis: t.proposal.kind === 'code' ? t.proposal.hypothesis : '', score: t.score }));
}

export function codeRates(s: CampaignState): CodeRates[] {
  const by = new Map<string, CodeRates>();
  for (const t of allTrials(s)) {
    if (!isCode(t) || t.status === 'queued' || t.status === 'dropped') continue;
    const r = by.get(t.proposer) ?? { proposer: t.proposer, proposals: 0, applied: 0, preflighted: 0, ran: 0, crashed: 0 };
    r.proposals++;
    const invalidBefore = t.status === 'invalid' && t.started_at === undefined;
    const applyFailed = invalidBefore && (APPLY.test(t.reason) || (t.proposal.kind === 'code' && Boolean(t.proposal.invalid)) || !PREFLIGHT.test(t.reason));
    if (!applyFailed) r.applied++;
    if (!invalidBefore) r.preflighted++;
    if (t.started_at !== undefined && t.status !== 'running' && t.status !== 'lost') {
      r.ran++;
      if (t.status === 'crash' || t.status === 'timeout') r.crashed++;
    }
    by.set(t.proposer, r);
  }
  return [...by.values()];
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${n}/${d} (${Math.round((100 * n) / d)}%)`);

/** Lines for the text report (none for a campaign without code trials). */
export function codeReportLines(s: CampaignState): string[] {
  const rates = codeRates(s);
  if (rates.length === 0) return [];
  const out = ['', 'code trials:'];
  for (const r of rates) {
    out.push(`  ${r.proposer}: ${r.proposals} proposal(s); applied ${pct(r.applied, r.proposals)}, passed pre-flight ${pct(r.preflighted, r.applied)}, crashed ${pct(r.crashed, r.ran)}`);
  }
  const kept = keptCommits(s);
  out.push(kept.length ? 'kept commits:' : 'kept commits: none');
  for (const k of kept) out.push(`  ${k.commit.slice(0, 7)} #${k.id} ${k.hypothesis.replace(/\s+/g, ' ')}`);
  return out;
}
