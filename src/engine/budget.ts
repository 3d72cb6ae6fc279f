// The budget as the journal records it (campaign.started, campaign.resumed): what the TUI's bar
// and `report` show, so they match what the engine enforces after edits and overrides.
import type { CampaignConfig } from '../config/types.js';
import type { Budget } from '../events.js';

export function journaledBudget(c: CampaignConfig): Budget {
  return { trials: c.budget.trials, wall_ms: c.budget.wall_ms, patience: c.budget.patience, target: c.budget.target };
}
