// budget: when the campaign stops (trials, wall time, patience, target, first crashes, dollars) and
// how long one trial may run.
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { dropNulls, duration, number, wholeNumber } from '../schema.js';

const positive = (what: string) => number(what).positive({ error: `expected ${what}` });
import type { CampaignConfig } from '../types.js';

export function checkBudget(c: Checker, value: unknown): CampaignConfig['budget'] | undefined {
  if (value === undefined || value === null) return {};
  const schema = z.strictObject(
    {
      trials: wholeNumber(1).optional(),
      wall: duration(true).optional(),
      trial_timeout: duration(true).optional(),
      patience: wholeNumber(1).optional(),
      target: number('a number (stop once the metric reaches it)').optional(),
      first_crashes: wholeNumber(0).optional(),
      usd: positive('a number of US dollars > 0, e.g. usd: 20 (LLM spend plus GPU time × gpu_hour_usd)').optional(),
      gpu_hour_usd: positive('a price in US dollars per GPU-hour > 0, e.g. gpu_hour_usd: 2.5').optional(),
    },
    { error: 'expected a map like { trials: 40, wall: 2h, trial_timeout: 5m }' },
  );
  const b = c.parse(schema, dropNulls(value), ['budget']);
  if (!b) return undefined;
  const out: CampaignConfig['budget'] = {};
  if (b.trials !== undefined) out.trials = b.trials;
  if (b.wall !== undefined) out.wall_ms = b.wall;
  if (b.trial_timeout !== undefined) out.trial_timeout_ms = b.trial_timeout;
  if (b.patience !== undefined) out.patience = b.patience;
  if (b.target !== undefined) out.target = b.target;
  if (b.first_crashes !== undefined) out.first_crashes = b.first_crashes;
  if (b.usd !== undefined) out.usd = b.usd;
  if (b.gpu_hour_usd !== undefined) out.gpu_hour_usd = b.gpu_hour_usd;
  return out;
}
