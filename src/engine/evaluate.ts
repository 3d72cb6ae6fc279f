// Runs the frozen evaluator after a trial, where the trial's outputs are (the runner's exec at its
// locator): its output, not the trial's, gives the score.
import * as path from 'node:path';
import { MetricParser } from '../metrics.js';
import type { ExecResult } from '../runner.js';

export interface EvaluateResult {
  ok: boolean;
  /** Last value of each metric the evaluator printed. */
  metrics: Record<string, number>;
  /** Why it failed, in a few words, when !ok. */
  error?: string;
  /** The failure is the frozen files' fault (no clean copy could be made): the trial is invalid, not a crash. */
  invalid?: boolean;
  /** Said in the decision's reason (the evaluator's clean copy had been altered and was rebuilt). */
  note?: string;
}

const inside = (dir: string, p: string) => {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * The evaluator's PYTHONPATH when it runs in the clean copy: an entry inside the workdir is moved to
 * the same place in the copy (a frozen helper package still imports; nothing a trial dropped there
 * does), an entry inside the state directory (trial directories, worktrees) is dropped; relative
 * entries resolve against the copy anyway. nightshift's own helper module is not added: the
 * evaluator reads files, it does not report to nightshift.
 */
export function evaluatorPythonPath(value: string | undefined, at: { workdir: string; stateDir: string; copy: string }): string {
  if (!value) return '';
  const out: string[] = [];
  for (const entry of value.split(path.delimiter)) {
    if (!entry || !path.isAbsolute(entry)) {
      if (entry) out.push(entry);
      continue;
    }
    if (inside(at.stateDir, entry)) continue;
    if (inside(at.workdir, entry)) out.push(path.join(at.copy, path.relative(at.workdir, entry)));
    else out.push(entry);
  }
  return out.join(path.delimiter);
}

const BARE_NUMBER = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan)\s*$/i;

/** The evaluator's verdict from how its command ran. */
export function evaluatorResult(run: ExecResult, metric: string, timeoutMs: number): EvaluateResult {
  if (!run.ok) return { ok: false, metrics: {}, error: `could not start the evaluator: ${run.error}` };
  if (run.timedOut) return { ok: false, metrics: {}, error: `the evaluator took longer than ${Math.round(timeoutMs / 1000)}s` };
  if (run.code !== 0) {
    const tail = run.lastLine;
    return { ok: false, metrics: {}, error: `the evaluator exited with ${run.signal ?? run.code}${tail ? `: ${tail.slice(0, 160)}` : ''}` };
  }
  const parser = new MetricParser({ primary: metric });
  const metrics: Record<string, number> = {};
  let bare: number | undefined;
  for (const line of run.stdout.split(/\r?\n/)) {
    for (const p of parser.parse(line)) metrics[p.name] = p.value;
    const m = BARE_NUMBER.exec(line);
    if (m) bare = Number(m[1].toLowerCase().replace('inf', 'Infinity'));
  }
  // A bare number on its own line is the score when the evaluator names no metric.
  if (metrics[metric] === undefined && bare !== undefined) metrics[metric] = bare;
  return { ok: true, metrics };
}
