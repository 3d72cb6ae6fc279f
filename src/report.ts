// Everything derived from the journal for people and pandas: the ledger rows, export formats and
// the `report` text (results.tsv, autoresearch's format, is in results-tsv.ts).
import { allTrials, getTrial, runState, type CampaignState, type TrialState } from './state.js';
import { formatScore, formatTokens, formatUsd } from './format/number.js';
import { spendByProposer } from './state/spend.js';
import { describeParams } from './format/params.js';
import { formatDuration } from './format/time.js';
import type { TrialStatus } from './types.js';
import { codeRates, codeReportLines, keptCommits } from './report-code.js';
import { integrityLines, type Integrity } from './report-integrity.js';

export interface LedgerRow {
  id: number;
  status: TrialStatus;
  reason: string;
  score: number | null;
  metrics: Record<string, number>;
  params: Record<string, unknown>;
  proposer: string;
  host: string | null;
  started_at: string | null;
  finished_at: string | null;
  fingerprint: string | null;
  /** The commit the trial ran (campaigns with `mutable:` files). */
  commit: string | null;
  /** The frozen-set and evaluator hashes it was scored under (src/integrity.ts), when recorded. */
  frozen_hash: string | null;
  evaluator_hash: string | null;
  /** Present (true) when it ran inside the sandbox; absent otherwise, so older exports read the same. */
  sandboxed?: true;
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

/** Final metrics when decided, else the latest printed values. */
function metricsOf(t: TrialState): Record<string, number> {
  return Object.keys(t.metrics).length ? t.metrics : t.last;
}

export function ledgerRow(t: TrialState): LedgerRow {
  return {
    id: t.id,
    status: t.status,
    reason: t.reason,
    score: t.score ?? null,
    metrics: metricsOf(t),
    params: t.params,
    proposer: t.proposer,
    host: t.host ?? null,
    started_at: iso(t.started_at),
    finished_at: iso(t.finished_at),
    fingerprint: t.fingerprint?.key ?? null,
    commit: t.commit ?? null,
    frozen_hash: t.fingerprint?.frozen ?? null,
    evaluator_hash: t.fingerprint?.evaluator ?? null,
    ...(t.sandboxed ? { sandboxed: true as const } : {}),
  };
}

export function ledger(s: CampaignState): LedgerRow[] {
  return allTrials(s).map(ledgerRow);
}

/** JSON numbers cannot be NaN or Infinity: write those as strings so pandas still reads them. */
function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

export function toJsonl(rows: LedgerRow[]): string {
  return rows.map((r) => JSON.stringify(r, jsonSafe) + '\n').join('');
}

function cell(v: unknown, sep: string): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v);
  if (sep === '\t') return s.replace(/[\t\r\n]+/g, ' ');
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV or TSV with `metric.<name>` and `param.<name>` columns. */
export function toTable(rows: LedgerRow[], sep: ',' | '\t'): string {
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort();
  const paramNames = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  // The sandboxed column only when some trial was: a campaign without the sandbox exports as before.
  const box = rows.some((r) => r.sandboxed) ? ['sandboxed'] : [];
  const head = ['id', 'status', 'score', 'proposer', 'host', 'started_at', 'finished_at', 'fingerprint', 'commit', 'frozen_hash', 'evaluator_hash', ...box, 'reason',
    ...metricNames.map((m) => `metric.${m}`), ...paramNames.map((p) => `param.${p}`)];
  const lines = [head.join(sep)];
  for (const r of rows) {
    lines.push(
      [r.id, r.status, r.score, r.proposer, r.host, r.started_at, r.finished_at, r.fingerprint, r.commit, r.frozen_hash, r.evaluator_hash, ...(box.length ? [r.sandboxed ? 'yes' : 'no'] : []), r.reason,
        ...metricNames.map((m) => r.metrics[m]), ...paramNames.map((p) => r.params[p])]
        .map((v) => cell(v, sep))
        .join(sep),
    );
  }
  return lines.join('\n') + '\n';
}

export function cohorts(s: CampaignState): Array<{ key: string; hardware: string; budget: string; trials: number; best: number | null }> {
  const by = new Map<string, { key: string; hardware: string; budget: string; trials: number; best: number | null }>();
  for (const t of allTrials(s)) {
    if (!t.fingerprint) continue;
    const c = by.get(t.fingerprint.key) ?? { key: t.fingerprint.key, hardware: t.fingerprint.hardware, budget: t.fingerprint.budget, trials: 0, best: s.best_by_cohort[t.fingerprint.key] ?? null };
    c.trials++;
    by.set(t.fingerprint.key, c);
  }
  return [...by.values()];
}

/** `30 (4 keep, 5 discard, 21 pruned); 1 proposal(s) queued` — trials that ran, by status. */
export function countsSummary(s: CampaignState): string {
  const ran = Object.entries(s.counts).filter(([k, n]) => n && n > 0 && k !== 'queued' && k !== 'dropped');
  const total = ran.reduce((a, [, n]) => a + (n ?? 0), 0);
  const queued = s.counts.queued ?? 0;
  const dropped = s.counts.dropped ?? 0;
  return (
    `${total} (${ran.map(([k, n]) => `${n} ${k}`).join(', ') || 'none'})` +
    (queued ? `; ${queued} proposal(s) queued` : '') +
    (dropped ? `; ${dropped} dropped by the operator` : '')
  );
}

/** The params column of the text report, in cells (as the TUI's table fits its params column). */
const PARAMS_WIDTH = 46;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function reportJson(s: CampaignState, integrity?: Integrity): unknown {
  const best = s.best !== null ? getTrial(s, s.best) : undefined;
  const spend = spendJson(s);
  return {
    name: s.name,
    state: runState(s),
    metric: s.metric,
    goal: s.goal,
    proposer: s.proposer,
    finished: s.finished?.reason ?? null,
    best: best ? ledgerRow(best) : null,
    ...(integrity ? { verified: integrity.verified, not_verified_why: integrity.why } : {}),
    counts: s.counts,
    cohorts: cohorts(s),
    // Only campaigns that called a model have it, so older reports read the same.
    ...(Object.keys(spend).length > 0 ? { spend } : {}),
    operator: s.operator_log.map((o) => ({ at: new Date(o.t).toISOString(), type: o.type, text: o.text })),
    warnings: s.warnings,
    // Campaigns with code trials only, so a params campaign's report reads as it always did.
    ...(codeRates(s).length > 0 ? { kept_commits: keptCommits(s), code_rates: codeRates(s) } : {}),
    trials: ledger(s),
  };
}

/** integrity: whether the winner may be called verified (absent: not said either way). */
export function reportText(s: CampaignState, integrity?: Integrity): string {
  const out: string[] = [];
  const state = runState(s);
  out.push(`campaign ${s.name} — ${state}${s.finished ? ` (${s.finished.reason})` : ''}; metric ${s.metric} (${s.goal}); proposer ${s.proposer}`);
  out.push('');
  out.push(`${pad('id', 5)}${pad('status', 9)}${pad(s.metric, 12)}${pad('time', 8)}${pad('params', 48)}reason`);
  for (const t of allTrials(s)) {
    const score = t.score ?? t.curve.lastValue;
    out.push(
      `${pad('#' + t.id, 5)}${pad(t.status + (t.best ? '*' : ''), 9)}${pad(formatScore(score), 12)}${pad(formatDuration(t.duration_ms), 8)}${pad(describeParams(t.params, PARAMS_WIDTH), PARAMS_WIDTH + 2)}${t.reason}`,
    );
  }
  out.push('');
  out.push(`trials: ${countsSummary(s)}`);
  const best = s.best !== null ? getTrial(s, s.best) : undefined;
  if (best) {
    out.push(`best: #${best.id} ${s.metric}=${formatScore(best.score)} (${best.proposer}, ${best.host ?? 'local'})`);
    for (const [k, v] of Object.entries(best.params)) out.push(`  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  } else out.push('best: none yet (no trial has been scored)');
  if (integrity) out.push(...integrityLines(s, integrity));
  const started = allTrials(s).filter((t) => t.started_at !== undefined);
  const boxed = started.filter((t) => t.sandboxed).length;
  if (boxed) out.push(`sandbox: ${boxed} of ${started.length} started trial${started.length === 1 ? '' : 's'} ran inside the sandbox (bwrap)`);
  const cs = cohorts(s);
  if (cs.length > 1) {
    out.push('');
    out.push(`note: trials ran on ${cs.length} different fingerprints (hardware or budget knobs differ); they are ranked separately:`);
    for (const c of cs) {
      const b = c.best !== null ? getTrial(s, c.best) : undefined;
      out.push(`  ${c.key} ${c.hardware} ${c.budget}: ${c.trials} trials, best ${b ? `#${b.id} ${formatScore(b.score)}` : 'none'}`);
    }
  }
  if (s.incumbent !== null && s.incumbent !== s.best) out.push(`incumbent (promoted by the operator): #${s.incumbent}`);
  const spent = spendLines(s);
  if (spent.length) out.push('', ...spent);
  if (s.operator_log.length) {
    out.push('');
    out.push('operator actions:');
    for (const o of s.operator_log) out.push(`  ${new Date(o.t).toISOString()}  ${o.text}`);
  }
  out.push(...codeReportLines(s));
  for (const w of s.warnings) out.push(`warning: ${w}`);
  return out.join('\n') + '\n';
}

/** Tokens and dollars per proposer that called a model (see state/spend.ts for what is counted). */
export function spendJson(s: CampaignState): Record<string, { model: string; calls: number; tokens_in: number; tokens_out: number; usd: number; estimated_calls: number }> {
  const out: ReturnType<typeof spendJson> = {};
  for (const [name, u] of Object.entries(spendByProposer(s))) {
    out[name] = { model: u.model, calls: u.calls, tokens_in: u.tokens_in, tokens_out: u.tokens_out, usd: u.usd, estimated_calls: u.estimated ?? 0 };
  }
  return out;
}

function spendLines(s: CampaignState): string[] {
  const rows = Object.entries(spendJson(s));
  if (rows.length === 0) return [];
  const out = ['model spend per proposer:'];
  let total = 0;
  for (const [name, u] of rows) {
    total += u.usd;
    const est = u.estimated_calls ? ` (${u.estimated_calls} call${u.estimated_calls === 1 ? '' : 's'} without usage from the server: tokens estimated from text length)` : '';
    out.push(`  ${name}: ${u.calls} call${u.calls === 1 ? '' : 's'} to ${u.model}, ${formatTokens(u.tokens_in)} tokens in, ${formatTokens(u.tokens_out)} out, ${formatUsd(u.usd)}${est}`);
  }
  if (rows.length > 1) out.push(`  total: ${formatUsd(total)}`);
  const limit = s.budget.usd;
  if (limit !== undefined) out.push(`  budget.usd: ${formatUsd(limit, { whole: true })}${s.budget.gpu_hour_usd !== undefined ? ` (model calls plus GPU time at ${formatUsd(s.budget.gpu_hour_usd)}/GPU-hour)` : ''}`);
  return out;
}
