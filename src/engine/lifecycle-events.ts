// The two events that open a supervisor's session: campaign.started (what defines the campaign,
// so `resume` can refuse a file that changes it) and campaign.resumed (the budget and overrides in
// force from now on).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, Overrides } from '../events.js';
import type { FrozenFiles } from '../frozen.js';
import { evaluatorHash } from '../integrity.js';
import { journaledBudget } from './budget.js';

export function configHash(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

export function startedEvent(c: CampaignConfig, frozen: FrozenFiles, overrides: Overrides | undefined): EventBody {
  return {
    type: 'campaign.started',
    name: c.name,
    goal: c.metric.goal,
    metric: c.metric.name,
    seed: c.seed,
    proposer: c.proposers[0].type,
    proposers: c.proposers.map((p) => p.type),
    config_file: c.file,
    config_hash: configHash(c.file),
    frozen: frozen.hashAll(),
    evaluator: evaluatorHash(c),
    budget: journaledBudget(c),
    parallel: c.parallel,
    command: c.command,
    space: c.space,
    overrides,
    review: c.review,
    branch: c.mutable.length > 0 ? `nightshift/${c.name}` : undefined,
  };
}

export function resumedEvent(c: CampaignConfig, torn: boolean, overrides: Overrides | undefined): EventBody {
  return {
    type: 'campaign.resumed',
    pid: process.pid,
    torn_line: torn || undefined,
    config_hash: configHash(c.file),
    budget: journaledBudget(c),
    overrides,
  };
}
