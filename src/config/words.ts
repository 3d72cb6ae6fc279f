// Words in messages: key paths, values as the user wrote them, lists, and the did-you-mean
// suggestions (edit distance plus the names people bring from Optuna, Ray Tune and W&B sweeps).

export type Path = Array<string | number>;

export function formatKeyPath(p: Path): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** How a value the user wrote is shown after "got". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const json = safeJson(v);
  if (Array.isArray(v)) return json && json.length <= 40 ? `a list (${json})` : `a list of ${v.length} items`;
  return json && json.length <= 40 ? `a map (${json})` : 'a map';
}

export function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

export function listWords(items: readonly string[], conj = 'or'): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} ${conj} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate when it is close enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}

/** Names people bring from Optuna, Ray Tune, W&B sweeps and friends, per map (key path without indices). */
export const KEY_ALIASES: Record<string, Record<string, string>> = {
  '': {
    trials: 'budget.trials', n_trials: 'budget.trials', max_trials: 'budget.trials', num_samples: 'budget.trials',
    wall: 'budget.wall', timeout: 'budget.wall', time_budget: 'budget.wall', max_time: 'budget.wall',
    trial_timeout: 'budget.trial_timeout', patience: 'budget.patience', target: 'budget.target',
    objective: 'metric', metrics: 'metric', goal: 'metric.goal', direction: 'metric.goal',
    params: 'space', parameters: 'space', search_space: 'space', hyperparameters: 'space', config: 'space',
    sampler: 'proposer', proposers: 'proposer', algorithm: 'proposer', search_alg: 'proposer', method: 'proposer', optimizer: 'proposer',
    workers: 'parallel', n_jobs: 'parallel', concurrency: 'parallel', max_concurrent_trials: 'parallel', slots: 'parallel',
    evaluator: 'evaluate', eval: 'evaluate', environment: 'env', cwd: 'workdir', dir: 'workdir', directory: 'workdir',
    scheduler: 'pruner', early_stopping: 'pruner', grace: 'kill_grace', log_limit: 'max_log', max_log_size: 'max_log',
    model: 'llm.model', openai: 'llm', usd: 'budget.usd', cost: 'budget.usd', dollars: 'budget.usd',
  },
  budget: {
    n_trials: 'trials', max_trials: 'trials', num_samples: 'trials', timeout: 'trial_timeout',
    wall_time: 'wall', max_time: 'wall', time: 'wall', time_budget: 'wall', early_stop: 'patience',
    dollars: 'usd', cost: 'usd', max_usd: 'usd', money: 'usd', gpu_hour: 'gpu_hour_usd', gpu_usd: 'gpu_hour_usd',
  },
  metric: { direction: 'goal', mode: 'goal', key: 'name', regex: 'pattern' },
  'space.*': { min: 'low', max: 'high', lower: 'low', upper: 'high', values: 'choices', options: 'choices', log_scale: 'log', logscale: 'log', q: 'step' },
  pruner: { n_warmup_steps: 'warmup_steps', warmup: 'warmup_steps', n_startup_trials: 'min_trials', interval: 'interval_steps', name: 'type' },
  evaluate: { cmd: 'command', run: 'command', trial_timeout: 'timeout' },
  decide: { type: 'mode' },
};

/** Values people write for an enum member, e.g. Ray Tune's `mode: min`. */
export const VALUE_ALIASES: Record<string, string> = {
  min: 'minimize', minimum: 'minimize', lower: 'minimize', down: 'minimize', minimise: 'minimize',
  max: 'maximize', maximum: 'maximize', higher: 'maximize', up: 'maximize', maximise: 'maximize',
};

export const TYPE_ALIASES: Record<string, string> = {
  uniform: 'float', loguniform: 'float', real: 'float', continuous: 'float', double: 'float', number: 'float',
  integer: 'int', randint: 'int', discrete: 'int',
  choice: 'categorical', category: 'categorical', categories: 'categorical', enum: 'categorical', string: 'categorical',
};

/** The KEY_ALIASES table that applies under `parent`. */
export function aliasScope(parent: Path): string {
  if (parent.length === 2 && parent[0] === 'space') return 'space.*';
  if (parent.length === 2 && parent[0] === 'proposer' && typeof parent[1] === 'number') return 'proposer';
  if (parent.length === 3 && parent[0] === 'decide' && parent[1] === 'objectives') return 'metric';
  return formatKeyPath(parent);
}
