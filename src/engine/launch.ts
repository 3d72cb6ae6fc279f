// What a trial is started with: its environment (one function, used for the trial and its
// evaluator alike), its files, its command; and the comparability fingerprint of where it ran.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { CampaignConfig } from '../config/types.js';
import type { Fingerprint } from '../events.js';
import type { TrialLaunch } from '../runner.js';
import type { TrialState } from '../state.js';
import { paramsJson, renderCommand } from './command.js';
import { sandboxSpec, sandboxed } from './sandbox.js';

/** The environment of the trial protocol: the campaign's env and NIGHTSHIFT_*. */
export function trialEnv(config: Pick<CampaignConfig, 'env' | 'name' | 'space'>, t: Pick<TrialState, 'id' | 'params'>, dir: string): Record<string, string> {
  return {
    ...config.env,
    NIGHTSHIFT_TRIAL_ID: String(t.id),
    NIGHTSHIFT_TRIAL_DIR: dir,
    NIGHTSHIFT_CONTROL: path.join(dir, 'control'),
    NIGHTSHIFT_PARAMS: paramsJson(t.params, config.space, 0),
    NIGHTSHIFT_CAMPAIGN: config.name,
  };
}

/** `stateDir`: the campaign's state directory, hidden from a sandboxed trial. */
export function trialLaunch(config: CampaignConfig, t: TrialState, dir: string, stateDir: string): TrialLaunch {
  const files: Record<string, string> = { 'params.json': paramsJson(t.params, config.space) + '\n' };
  if (t.proposal.kind === 'code') files['change.diff'] = t.proposal.diff;
  const launch: TrialLaunch = {
    id: t.id,
    command: renderCommand(config.command, t.params, config.space),
    // A campaign with `mutable:` files runs each trial in its own worktree (its commit's code).
    cwd: t.workdir ?? config.workdir,
    dir,
    env: trialEnv(config, t, dir),
    params: t.params,
    files,
    maxLogBytes: config.max_log_bytes,
  };
  if (sandboxed(config, t)) launch.sandbox = sandboxSpec(config, stateDir);
  return launch;
}

/** Hardware and the budget knobs a score depends on; trials are ranked only within one key. */
export function fingerprint(config: Pick<CampaignConfig, 'budget' | 'evaluate'>, host: string, hardware: string): Fingerprint {
  const budget = JSON.stringify({ trial_timeout_ms: config.budget.trial_timeout_ms ?? null, evaluate: config.evaluate?.command ?? null });
  const key = createHash('sha256').update(hardware + '\n' + budget).digest('hex').slice(0, 8);
  return { key, host, hardware, budget };
}
