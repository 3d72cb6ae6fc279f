// results.tsv in autoresearch's shape: `commit`, the primary metric, the secondary metrics the
// campaign names (`results: { columns: [...] }`), `status`, `description`; one row per decided
// trial in decision order. A trial without a score writes 0.000000 (and 0.0 for the other columns),
// as autoresearch's crash rows do.
//
// Derived from the journal, never a source of truth. It is appended one row per decision (rewriting
// it whole cost O(trials) per decision) and rebuilt whole only when a supervisor opens the campaign.
import * as fs from 'node:fs';
import { getTrial, type CampaignState, type TrialState } from './state.js';
import { formatPlain } from './format/number.js';

export interface ResultsLayout {
  metric: string;
  columns: readonly string[];
}

function clean(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ');
}

/**
 * The description of a params trial: `k=v` with numbers in the journal's plain form, at most `max`
 * characters. The file is appended to across versions, so its form is frozen (the views' shared
 * `describeParams` fits a width and may change with the TUI).
 */
function paramsCell(params: Record<string, unknown>, max = 200): string {
  const s = Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatPlain(v) : String(v)}`)
    .join(' ');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** autoresearch writes val_bpb with six decimals; tiny values keep their digits in exponent form. */
function primaryCell(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v !== 0 && Math.abs(v) < 1e-4 ? v.toExponential(6) : v.toFixed(6);
}

export function resultsHeader(l: ResultsLayout): string {
  return ['commit', l.metric, ...l.columns, 'status', 'description'].map(clean).join('\t') + '\n';
}

export function resultsRow(t: TrialState, l: ResultsLayout): string {
  // autoresearch's short hash; a trial that never got a commit (params-only campaign, invalid edit) its id.
  const commit = t.commit ? t.commit.slice(0, 7) : `#${t.id}`;
  const desc = t.proposal.kind === 'code' ? t.proposal.hypothesis : paramsCell(t.params);
  const scored = t.score !== null;
  const primary = scored ? primaryCell(t.score!) : '0.000000';
  const others = l.columns.map((m) => {
    const v = t.metrics[m];
    if (!scored) return '0.0';
    return v === undefined ? '' : String(v);
  });
  return [commit, primary, ...others, t.status, `${desc} — ${t.reason}`].map((c) => clean(String(c))).join('\t') + '\n';
}

/** The whole file: the header, then a row for each id in `decided` (decision order). */
export function resultsTsv(s: CampaignState, l: ResultsLayout, decided: Iterable<number>): string {
  let out = resultsHeader(l);
  for (const id of decided) {
    const t = getTrial(s, id);
    if (t) out += resultsRow(t, l);
  }
  return out;
}

/** Ids in the order their trial.decided events appear (what the appended file holds). */
export function decisionOrder(events: Iterable<{ type: string; id?: number }>): number[] {
  const ids: number[] = [];
  for (const e of events) if (e.type === 'trial.decided' && e.id !== undefined) ids.push(e.id);
  return ids;
}

/** The live results.tsv: rebuilt once when opened, then one appended row per decision. */
export class ResultsFile {
  constructor(
    private readonly file: string,
    private readonly layout: ResultsLayout,
  ) {}

  /** Writes the whole file atomically (a new campaign: just the header). */
  rebuild(s: CampaignState, decided: Iterable<number>): void {
    const tmp = this.file + '.tmp';
    fs.writeFileSync(tmp, resultsTsv(s, this.layout, decided));
    fs.renameSync(tmp, this.file);
  }

  append(t: TrialState): void {
    fs.appendFileSync(this.file, resultsRow(t, this.layout));
  }
}
