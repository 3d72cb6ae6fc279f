// The campaign's lifecycle: started (its settings), resumed (a new supervisor session), finished.
import { NEW_STREAK } from './rules.js';
import type { Handlers } from './shape.js';

export const campaignEvents = {
  'campaign.started': (s, e) => ({
    ...s,
    name: e.name,
    goal: e.goal,
    metric: e.metric,
    seed: e.seed,
    proposer: e.proposer,
    proposers: e.proposers,
    config_hash: e.config_hash,
    frozen: e.frozen,
    budget: e.budget,
    overrides: e.overrides ?? {},
    command: e.command,
    space: e.space,
    parallel: e.parallel,
    review: e.review ?? 'auto',
    started_at: e.t,
    sessions: 1,
  }),

  'campaign.resumed': (s, e) => ({
    ...s,
    sessions: s.sessions + 1,
    budget: e.budget ?? s.budget,
    overrides: e.overrides ?? s.overrides,
    ask: null,
    invalid_streak: { count: 0, reason: '' },
    // A campaign that had finished and is resumed with a larger budget runs again, and its
    // proposer gets a fresh count of failures (the operator may have fixed the endpoint).
    finished: null,
    proposer_failures: s.finished ? 0 : s.proposer_failures,
    crash_streak: NEW_STREAK,
    exhausted: null,
    warnings: e.torn_line ? [...s.warnings, 'the journal ended in a torn line (a crash mid-write); it was dropped'] : s.warnings,
  }),

  'campaign.finished': (s, e) => ({ ...s, finished: { reason: e.reason } }),
} satisfies Handlers;
