// The campaign file's top-level keys and the values of the keys left out.

/** Top-level keys, in the order the docs present them. */
export const CAMPAIGN_KEYS = [
  'name', 'workdir', 'command', 'metric', 'space', 'proposer', 'parallel', 'seed', 'budget',
  'pruner', 'evaluate', 'frozen', 'decide', 'kill_grace', 'env', 'queue_ahead', 'gpus', 'results', 'max_log',
  'mutable', 'review', 'preflight',
  'llm',
  'hosts', 'local', 'host_grace', 'accept_new_host_keys',
  'sandbox',
] as const;

export const DEFAULTS = {
  proposer: 'random',
  parallel: 1,
  seed: 0,
  kill_grace_ms: 10_000,
  queue_ahead: 1,
  max_log_bytes: 200 * 2 ** 20,
  evaluate_timeout_ms: 10 * 60_000,
  preflight_timeout_ms: 5 * 60_000,
  pruner: { warmup_steps: 0, min_trials: 5, interval_steps: 1 },
} as const;
