// One evaluation: where the evaluator runs and with what environment, then its verdict.
//
// With frozen files (and a local trial) it runs after the trial, outside any sandbox, in the clean
// copy of the frozen files (evaluator-copy.ts), its only input the trial directory
// (NIGHTSHIFT_TRIAL_DIR); its PYTHONPATH is kept out of the workdir and the state directory. Without
// frozen files there is nothing to copy: it runs in the workdir as before, and freezing the
// evaluator is what isolates it. On an SSH host it still runs in the shipped workdir there (the
// runner does not ship the clean copy yet).
import type { CampaignConfig } from '../config/types.js';
import type { Locator, Runner } from '../runner.js';
import type { TrialState } from '../state.js';
import { renderCommand } from './command.js';
import { evaluatorPythonPath, evaluatorResult, type EvaluateResult } from './evaluate.js';
import type { EvaluatorCopy } from './evaluator-copy.js';
import { trialEnv } from './launch.js';

export interface EvaluatorDeps {
  config: CampaignConfig;
  runner: Runner;
  stateDir: string;
  copy: EvaluatorCopy;
  /** The frozen files' hashes as campaign.started recorded them. */
  recorded: Record<string, string>;
}

export async function runEvaluator(d: EvaluatorDeps, t: TrialState, locator: Locator): Promise<EvaluateResult> {
  const ev = d.config.evaluate!;
  const env = trialEnv(d.config, t, locator.dir);
  let cwd = d.config.workdir;
  let note: string | undefined;
  if (locator.runner === 'local' && Object.keys(d.recorded).length > 0) {
    const copy = d.copy.ensure(d.recorded);
    if (!copy.ok) return { ok: false, invalid: true, metrics: {}, error: copy.error };
    cwd = copy.dir;
    if (copy.rebuilt) note = `the evaluator's clean copy had been altered (${copy.rebuilt}) and was rebuilt before scoring`;
    env.PYTHONPATH = evaluatorPythonPath(d.config.env.PYTHONPATH ?? process.env.PYTHONPATH, { workdir: d.config.workdir, stateDir: d.stateDir, copy: copy.dir });
    // No __pycache__ in the read-only copy (the write would fail quietly anyway).
    env.PYTHONDONTWRITEBYTECODE = '1';
  }
  const run = await d.runner.exec(locator, {
    command: renderCommand(ev.command, t.params, d.config.space),
    cwd,
    env,
    logName: 'evaluate.log',
    timeoutMs: ev.timeout_ms,
    killGraceMs: d.config.kill_grace_ms,
  });
  const result = evaluatorResult(run, d.config.metric.name, ev.timeout_ms);
  return note ? { ...result, note } : result;
}
