import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/config/errors.js';
import { commandPlaceholders, loadCampaign as loadWith, patternProblem, type LoadOptions, type ProposerRegistry } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';
import type { CampaignConfig } from '../../src/config/types.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nightshift-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** Writes `yaml` as campaign.yaml in a fresh directory (with an `exp/` subdirectory) and returns its path. */
function write(yaml: string): string {
  const dir = path.join(root, `c${counter++}`);
  mkdirSync(path.join(dir, 'exp'), { recursive: true });
  const file = path.join(dir, 'campaign.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** The loader as the composition root calls it: with the real proposer registry unless one is given. */
function loadCampaign(file: string, options: Partial<LoadOptions> = {}): CampaignConfig {
  return loadWith(file, { proposers: PROPOSERS, ...options });
}

function loadError(yaml: string, options?: Parameters<typeof loadCampaign>[1]): ConfigError {
  const file = write(yaml);
  try {
    loadCampaign(file, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for:\n${yaml}`);
}

/** A minimal valid campaign; cases below replace or append lines. */
const BASE = `name: sweep
command: python3 train.py --lr {lr}
metric: { name: val_loss, goal: minimize }
space:
  lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }
`;

describe('loadCampaign: a valid file', () => {
  it('resolves a full example (absolute paths, ms durations, defaults)', () => {
    const file = write(`# a full example
name: lr-sweep
workdir: exp
command: "python3 train.py --lr {lr} --width {width} --act {act} --home \${HOME} --json '{{\\"a\\": 1}}'"
metric: { name: val_loss, goal: minimize, pattern: 'val_loss=([-+0-9.eE]+)(?: step=(?<step>\\d+))?' }
space:
  lr:    { type: float, low: 1.0e-4, high: 1.0e-1, log: true }
  width: { type: int, low: 16, high: 256, log: true }
  drop:  { type: float, low: 0, high: 0.5, step: 0.1 }
  act:   { type: categorical, choices: [relu, gelu, tanh] }
proposer:
  - random
  - { type: grid, points: 3 }
parallel: 2
seed: 7
budget: { trials: 40, wall: 2h, trial_timeout: 5m, patience: 15, target: 0.05 }
pruner: { type: median, warmup_steps: 5, min_trials: 4 }
evaluate: { command: python3 evaluate.py, timeout: 90s }
frozen: [evaluate.py, data/**]
decide: { mode: constraint, metric: gpu_mem_gb, max: 20 }
kill_grace: 1h30m
env:
  OMP_NUM_THREADS: 4
  VERSION: 1.10
  WANDB_MODE: offline
queue_ahead: 0
gpus: [0, GPU-1a2b]
results: { columns: [gpu_mem_gb] }
max_log: 1.5GB
`);
    const dir = path.dirname(file);
    const expected: CampaignConfig = {
      file,
      dir,
      name: 'lr-sweep',
      workdir: path.join(dir, 'exp'),
      command: `python3 train.py --lr {lr} --width {width} --act {act} --home \${HOME} --json '{{"a": 1}}'`,
      metric: { name: 'val_loss', goal: 'minimize', pattern: 'val_loss=([-+0-9.eE]+)(?: step=(?<step>\\d+))?' },
      space: {
        lr: { type: 'float', low: 1e-4, high: 0.1, log: true },
        width: { type: 'int', low: 16, high: 256, log: true },
        drop: { type: 'float', low: 0, high: 0.5, step: 0.1 },
        act: { type: 'categorical', choices: ['relu', 'gelu', 'tanh'] },
      },
      proposers: [
        { type: 'random', options: {} },
        { type: 'grid', options: { points: 3 } },
      ],
      parallel: 2,
      seed: 7,
      budget: { trials: 40, wall_ms: 7_200_000, trial_timeout_ms: 300_000, patience: 15, target: 0.05 },
      kill_grace_ms: 5_400_000,
      pruner: { type: 'median', warmup_steps: 5, min_trials: 4, interval_steps: 1 },
      evaluate: { command: 'python3 evaluate.py', timeout_ms: 90_000 },
      frozen: ['evaluate.py', 'data/**'],
      decide: { mode: 'constraint', metric: 'gpu_mem_gb', max: 20 },
      env: { OMP_NUM_THREADS: '4', VERSION: '1.10', WANDB_MODE: 'offline' },
      queue_ahead: 0,
      gpus: ['0', 'GPU-1a2b'],
      results: { columns: ['gpu_mem_gb'] },
      max_log_bytes: 1.5 * 2 ** 30,
      mutable: [],
      review: 'auto',
      sandbox: { mode: 'bwrap', trials: 'code', network: false, hide: [], read_only: [] },
    };
    expect(loadCampaign(file)).toStrictEqual(expected);
  });

  it('reads max_log as a size (K/M/G are powers of 1024) and refuses what is not one', () => {
    for (const [text, bytes] of [['200MB', 200 * 2 ** 20], ['1m', 2 ** 20], ['512KiB', 512 * 1024], ['65536', 65536], ['2 GB', 2 * 2 ** 30]] as const) {
      expect(loadCampaign(write(`${BASE}max_log: ${text}\n`)).max_log_bytes).toBe(bytes);
    }
    for (const bad of ['lots', '10KB', '-1MB', '1PB', '[1]']) {
      expect(() => loadCampaign(write(`${BASE}max_log: ${bad}\n`))).toThrow(/max_log: expected a size of at least 64KB, like 200MB/);
    }
  });

  it('runs one trial per GPU unless parallel says otherwise', () => {
    expect(loadCampaign(write(`${BASE}gpus: [0, 1, 2]\n`)).parallel).toBe(3);
    expect(loadCampaign(write(`${BASE}gpus: [0, 1]\nparallel: 4\n`))).toMatchObject({ parallel: 4, gpus: ['0', '1'] });
    expect(() => loadCampaign(write(`${BASE}gpus: [0, -1]\n`))).toThrow(/gpus\[1\]: expected a device id/);
    expect(() => loadCampaign(write(`${BASE}gpus: []\n`))).toThrow(/gpus: expected a list of GPU device ids/);
  });

  it('reads results.columns, the secondary metrics of results.tsv, and rejects what cannot be a column', () => {
    expect(loadCampaign(write(`${BASE}results: { columns: [memory_gb, tokens_per_s, memory_gb] }\n`)).results).toEqual({ columns: ['memory_gb', 'tokens_per_s'] });
    expect(() => loadCampaign(write(`${BASE}results: { columns: [val_loss] }\n`))).toThrow(/results\.columns\[0\]: expected a secondary metric; val_loss is metric\.name/);
    expect(() => loadCampaign(write(`${BASE}results: { columns: memory_gb }\n`))).toThrow(/results\.columns: expected a list of metric names/);
    expect(() => loadCampaign(write(`${BASE}results: { colums: [memory_gb] }\n`))).toThrow(/results\.colums: unknown key/);
  });

  it('fills in every default for a minimal file', () => {
    const file = write(BASE);
    const dir = path.dirname(file);
    expect(loadCampaign(file)).toStrictEqual({
      file,
      dir,
      name: 'sweep',
      workdir: dir,
      command: 'python3 train.py --lr {lr}',
      metric: { name: 'val_loss', goal: 'minimize' },
      space: { lr: { type: 'float', low: 1e-4, high: 0.1, log: true } },
      proposers: [{ type: 'random', options: {} }],
      parallel: 1,
      seed: 0,
      budget: {},
      kill_grace_ms: 10_000,
      pruner: { type: 'none' },
      frozen: [],
      decide: { mode: 'single' },
      env: {},
      queue_ahead: 1,
      gpus: [],
      results: { columns: [] },
      max_log_bytes: 200 * 2 ** 20,
      mutable: [],
      review: 'auto',
      sandbox: { mode: 'bwrap', trials: 'code', network: false, hide: [], read_only: [] },
    } satisfies CampaignConfig);
  });

  it('accepts the short forms: proposer/pruner/evaluate/decide as words, registry defaults, empty optional keys', () => {
    const file = write(`${BASE}proposer: grid
pruner: median
evaluate: python3 evaluate.py
decide: single
frozen: evaluate.py
budget:
seed:
`);
    const c = loadCampaign(file);
    expect(c.proposers).toEqual([{ type: 'grid', options: { points: 5 } }]);
    expect(c.pruner).toEqual({ type: 'median', warmup_steps: 0, min_trials: 5, interval_steps: 1 });
    expect(c.evaluate).toEqual({ command: 'python3 evaluate.py', timeout_ms: 600_000 });
    expect(c.decide).toEqual({ mode: 'single' });
    expect(c.frozen).toEqual(['evaluate.py']);
    expect(c.budget).toEqual({});
    expect(c.seed).toBe(0);
  });

  it('resolves pareto and weighted decide modes, whose metrics need not be metric.name', () => {
    const pareto = loadCampaign(write(`${BASE}decide:
  mode: pareto
  objectives:
    - { name: val_loss, goal: minimize }
    - { name: latency_ms, goal: minimize }
`));
    expect(pareto.decide).toEqual({
      mode: 'pareto',
      objectives: [{ name: 'val_loss', goal: 'minimize' }, { name: 'latency_ms', goal: 'minimize' }],
    });
    const weighted = loadCampaign(write(`${BASE}decide: { mode: weighted, weights: { loss: 1, params_m: 0.01 } }\n`));
    expect(weighted.decide).toEqual({ mode: 'weighted', weights: { loss: 1, params_m: 0.01 } });
  });

  it('supports YAML anchors and merge keys', () => {
    const c = loadCampaign(write(`name: sweep
command: python3 train.py
metric: { name: acc, goal: maximize }
space:
  a: &range { type: float, low: 0, high: 1 }
  b: { <<: *range, high: 2 }
`));
    expect(c.space).toEqual({ a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 2 } });
  });

  it('takes the proposer registry from the options (validating each entry against it)', () => {
    const registry: ProposerRegistry = {
      tpe: { options: z.object({ n_startup: z.number().int().min(1).default(10), gamma: z.number().gt(0).lt(1).default(0.25) }).strict() },
    };
    const c = loadCampaign(write(`${BASE}proposer: { type: tpe, n_startup: 5 }\n`), { proposers: registry });
    expect(c.proposers).toEqual([{ type: 'tpe', options: { n_startup: 5, gamma: 0.25 } }]);
  });
});

interface BadCase {
  title: string;
  yaml: string;
  keyPath: string;
  line: number;
  /** Fragments the message must contain. */
  says: string[];
  proposers?: ProposerRegistry;
}

const tpeRegistry: ProposerRegistry = {
  random: { options: z.object({}).strict() },
  tpe: {
    options: z.object({ n_startup: z.number().int().min(1).default(10), gamma: z.number().gt(0).lt(1).default(0.25) }).strict(),
    unsupported: (space) =>
      Object.values(space).some((s) => s.type === 'categorical') ? 'it handles numeric parameters only' : null,
  },
};

const BAD: BadCase[] = [
  {
    title: 'YAML syntax error (file, line, column, reason)',
    yaml: `name: sweep\nspace: { lr: [1, 2 }\n`,
    keyPath: '',
    line: 2,
    says: ['campaign.yaml:2:', 'not valid YAML'],
  },
  {
    title: 'duplicate key',
    yaml: `${BASE}name: other\n`,
    keyPath: '',
    line: 6,
    says: ['campaign.yaml:6:1:', '`name` appears twice'],
  },
  {
    title: 'regex in double quotes with a backslash',
    yaml: `${BASE}`.replace('{ name: val_loss, goal: minimize }', '{ name: val_loss, goal: minimize, pattern: "loss=(\\d+)" }'),
    keyPath: '',
    line: 3,
    says: ['not valid YAML', 'single quotes'],
  },
  {
    title: 'tabs',
    yaml: `name: sweep\nspace:\n\tlr: 1\n`,
    keyPath: '',
    line: 3,
    says: ['spaces, not tabs'],
  },
  {
    title: 'unquoted value containing ": "',
    yaml: BASE.replace('command: python3 train.py --lr {lr}', 'command: echo loss: {lr}'),
    keyPath: '',
    line: 2,
    says: ['campaign.yaml:2:10:', 'must be quoted'],
  },
  {
    title: 'empty file',
    yaml: `# nothing here yet\n`,
    keyPath: '',
    line: 1,
    says: ['the file is empty', 'name, command, metric and space'],
  },
  {
    title: 'top level is a list',
    yaml: `- name: sweep\n`,
    keyPath: '',
    line: 1,
    says: ['expected a map of settings at the top level', 'got a list'],
  },
  {
    title: 'unknown top-level key with a typo',
    yaml: `${BASE}budgte: { trials: 10 }\n`,
    keyPath: 'budgte',
    line: 6,
    says: ['unknown key `budgte`', 'Did you mean `budget`?', 'allowed at the top level are name, workdir, command'],
  },
  {
    title: 'a budget key written at the top level',
    yaml: `${BASE}n_trials: 40\n`,
    keyPath: 'n_trials',
    line: 6,
    says: ['Did you mean `budget.trials`?'],
  },
  {
    title: 'unknown nested key',
    yaml: `${BASE}budget:\n  trails: 40\n  wall: 2h\n`,
    keyPath: 'budget.trails',
    line: 7,
    says: ['Did you mean `trials`?', 'allowed under budget are trials, wall, trial_timeout, patience, target'],
  },
  {
    title: 'Optuna-style min/max in a range',
    yaml: `${BASE}  wd: { type: float, min: 0, max: 0.1 }\n`,
    keyPath: 'space.wd.min',
    line: 6,
    says: ['Did you mean `low`?', 'allowed under space.wd are type, low, high, log, step'],
  },
  {
    title: 'Optuna-style min/max in a block map: the typo, not the missing low, is reported',
    yaml: `${BASE}  wd:\n    type: float\n    min: 0\n    max: 0.1\n`,
    keyPath: 'space.wd.min',
    line: 8,
    says: ['Did you mean `low`?', 'The file has 1 more problem: line 9 (space.wd.max).'],
  },
  {
    title: 'missing name',
    yaml: BASE.replace('name: sweep\n', ''),
    keyPath: 'name',
    line: 1,
    says: ['name: missing; expected a short campaign name', 'Add it and run again.'],
  },
  {
    title: 'missing command',
    yaml: BASE.replace('command: python3 train.py --lr {lr}\n', ''),
    keyPath: 'command',
    line: 1,
    says: ['missing; expected the shell command that runs one trial'],
  },
  {
    title: 'missing space',
    yaml: BASE.replace(/space:[\s\S]*$/, ''),
    keyPath: 'space',
    line: 1,
    says: ['missing; expected a map of the parameters to search'],
  },
  {
    title: 'metric given as a bare string',
    yaml: BASE.replace('metric: { name: val_loss, goal: minimize }', 'metric: val_loss'),
    keyPath: 'metric',
    line: 3,
    says: ['got "val_loss"', 'Write metric: { name: val_loss, goal: minimize }'],
  },
  {
    title: 'metric without goal',
    yaml: BASE.replace('metric: { name: val_loss, goal: minimize }', 'metric:\n  name: val_loss'),
    keyPath: 'metric.goal',
    line: 3,
    says: ['missing; expected minimize or maximize'],
  },
  {
    title: 'metric goal misspelt',
    yaml: BASE.replace('goal: minimize', 'goal: minimise'),
    keyPath: 'metric.goal',
    line: 3,
    says: ['expected minimize or maximize, got "minimise"', 'Did you mean `minimize`?'],
  },
  {
    title: 'Ray Tune style goal',
    yaml: BASE.replace('goal: minimize', 'goal: max'),
    keyPath: 'metric.goal',
    line: 3,
    says: ['got "max"', 'Did you mean `maximize`?'],
  },
  {
    title: 'metric name the default reader cannot read',
    yaml: BASE.replace('name: val_loss', 'name: val loss'),
    keyPath: 'metric.name',
    line: 3,
    says: ['"val loss" cannot be read from output', 'add metric.pattern'],
  },
  {
    title: 'constraint metric that a pattern-only reader never sees',
    yaml: `${BASE.replace('goal: minimize', "goal: minimize, pattern: 'loss ([0-9.]+)'")}decide:\n  mode: constraint\n  metric: gpu_mem\n  max: 20\n`,
    keyPath: 'decide.metric',
    line: 8,
    says: ['gpu_mem would never be read', 'only val_loss is read'],
  },
  {
    title: 'Optuna direction instead of goal',
    yaml: BASE.replace('goal: minimize', 'direction: minimize'),
    keyPath: 'metric.direction',
    line: 3,
    says: ['Did you mean `goal`?'],
  },
  {
    title: 'metric pattern without a group',
    yaml: BASE.replace('goal: minimize', "goal: minimize, pattern: 'loss=[0-9.]+'"),
    keyPath: 'metric.pattern',
    line: 3,
    says: ['exactly one capture group', 'no capture group'],
  },
  {
    title: 'metric pattern with two groups',
    yaml: BASE.replace('goal: minimize', "goal: minimize, pattern: '(loss)=([0-9.]+)'"),
    keyPath: 'metric.pattern',
    line: 3,
    says: ['2 capture groups', '(?:...)'],
  },
  {
    title: 'metric pattern that does not compile',
    yaml: `${BASE.replace('metric: { name: val_loss, goal: minimize }', "metric:\n  name: val_loss\n  goal: minimize\n  pattern: 'loss=([0-9.]+'")}`,
    keyPath: 'metric.pattern',
    line: 6,
    says: ['does not compile'],
  },
  {
    title: 'empty space',
    yaml: BASE.replace(/space:[\s\S]*$/, 'space: {}\n'),
    keyPath: 'space',
    line: 4,
    says: ['expected at least one parameter', 'got a map ({})'],
  },
  {
    title: 'parameter name that is not an identifier',
    yaml: `${BASE}  learning-rate: { type: float, low: 0, high: 1 }\n`,
    keyPath: 'space.learning-rate',
    line: 6,
    says: ['must be identifiers', 'learning_rate'],
  },
  {
    title: 'low not below high',
    yaml: `${BASE}  wd:\n    type: float\n    low: 0.1\n    high: 0.01\n`,
    keyPath: 'space.wd.high',
    line: 9,
    says: ['expected a number greater than low (0.1), got 0.01', 'swap'],
  },
  {
    title: 'log scale starting at 0',
    yaml: `${BASE}  wd: { type: float, low: 0, high: 0.1, log: true }\n`,
    keyPath: 'space.wd.low',
    line: 6,
    says: ['expected a number > 0 because log: true', 'got 0'],
  },
  {
    title: 'step with log',
    yaml: `${BASE}  wd: { type: float, low: 0.001, high: 0.1, log: true, step: 0.01 }\n`,
    keyPath: 'space.wd.step',
    line: 6,
    says: ['step cannot be combined with log: true'],
  },
  {
    title: 'non-positive step',
    yaml: `${BASE}  wd: { type: float, low: 0, high: 0.1, step: 0 }\n`,
    keyPath: 'space.wd.step',
    line: 6,
    says: ['expected a number > 0, got 0'],
  },
  {
    title: 'int bound that is not whole',
    yaml: `${BASE}  width:\n    type: int\n    low: 1.5\n    high: 8\n`,
    keyPath: 'space.width.low',
    line: 8,
    says: ['expected a whole number, got 1.5'],
  },
  {
    title: 'bound written as text',
    yaml: `${BASE}  width: { type: int, low: sixteen, high: 256 }\n`,
    keyPath: 'space.width.low',
    line: 6,
    says: ['expected a whole number, got "sixteen"'],
  },
  {
    title: 'Optuna type name',
    yaml: `${BASE}  wd: { type: loguniform, low: 0.001, high: 0.1 }\n`,
    keyPath: 'space.wd.type',
    line: 6,
    says: ['expected float, int or categorical, got "loguniform"', 'Did you mean `float`?'],
  },
  {
    title: 'parameter without type',
    yaml: `${BASE}  wd: { low: 0.001, high: 0.1 }\n`,
    keyPath: 'space.wd.type',
    line: 6,
    says: ['missing; expected type: float, int or categorical'],
  },
  {
    title: 'parameter given as a bare list',
    yaml: `${BASE}  act: [relu, gelu]\n`,
    keyPath: 'space.act',
    line: 6,
    says: ['got a list', '{ type: categorical, choices: ["relu","gelu"] }'],
  },
  {
    title: 'categorical with no choices',
    yaml: `${BASE}  act: { type: categorical, choices: [] }\n`,
    keyPath: 'space.act.choices',
    line: 6,
    says: ['expected a non-empty list of choices, got a list ([])'],
  },
  {
    title: 'categorical with a repeated choice',
    yaml: `${BASE}  act:\n    type: categorical\n    choices:\n      - relu\n      - gelu\n      - relu\n`,
    keyPath: 'space.act.choices[2]',
    line: 11,
    says: ['expected distinct choices, got "relu"', 'choices[0]'],
  },
  {
    title: 'categorical with a nested choice',
    yaml: `${BASE}  act: { type: categorical, choices: [relu, [gelu]] }\n`,
    keyPath: 'space.act.choices[1]',
    line: 6,
    says: ['expected a text, number or true/false choice'],
  },
  {
    title: 'command placeholder typo',
    yaml: BASE.replace('--lr {lr}', '--lr {lrr}'),
    keyPath: 'command',
    line: 2,
    says: ['{lrr}', 'the parameters are lr', 'Did you mean {lr}?'],
  },
  {
    title: 'evaluate placeholder typo',
    yaml: `${BASE}evaluate:\n  command: python3 evaluate.py --lr {learning_rate}\n`,
    keyPath: 'evaluate.command',
    line: 7,
    says: ['{learning_rate} does not name a parameter in space'],
  },
  {
    title: 'budget.trials as a word',
    yaml: `${BASE}budget:\n  trials: forty\n`,
    keyPath: 'budget.trials',
    line: 7,
    says: ['campaign.yaml:7: budget.trials: expected a whole number ≥ 1, got "forty". Fix it and run again.'],
  },
  {
    title: 'budget.wall in words',
    yaml: `${BASE}budget: { trials: 10, wall: 2 hours }\n`,
    keyPath: 'budget.wall',
    line: 6,
    says: ['budget.wall: expected a duration like 90s, 5m or 8h, got "2 hours"'],
  },
  {
    title: 'zero trial timeout',
    yaml: `${BASE}budget: { trial_timeout: 0s }\n`,
    keyPath: 'budget.trial_timeout',
    line: 6,
    says: ['expected a duration longer than 0'],
  },
  {
    title: 'kill_grace nonsense',
    yaml: `${BASE}kill_grace: soon\n`,
    keyPath: 'kill_grace',
    line: 6,
    says: ['expected a duration like 90s, 5m or 8h, got "soon"'],
  },
  {
    title: 'parallel 0',
    yaml: `${BASE}parallel: 0\n`,
    keyPath: 'parallel',
    line: 6,
    says: ['expected a whole number ≥ 1, got 0'],
  },
  {
    title: 'queue_ahead negative',
    yaml: `${BASE}queue_ahead: -1\n`,
    keyPath: 'queue_ahead',
    line: 6,
    says: ['expected a whole number ≥ 0, got -1'],
  },
  {
    title: 'name with a space',
    yaml: BASE.replace('name: sweep', 'name: my sweep'),
    keyPath: 'name',
    line: 1,
    says: ['git branch', 'got "my sweep"', 'Try name: my-sweep.'],
  },
  {
    title: 'name that is a number',
    yaml: BASE.replace('name: sweep', 'name: 2024'),
    keyPath: 'name',
    line: 1,
    says: ['expected the name as text, got 2024', 'name: "2024"'],
  },
  {
    title: 'workdir that does not exist',
    yaml: `${BASE}workdir: ../nope\n`,
    keyPath: 'workdir',
    line: 6,
    says: ['does not exist', `${path.sep}nope`, 'relative to the campaign file'],
  },
  {
    title: 'unknown proposer',
    yaml: `${BASE}proposer: randm\n`,
    keyPath: 'proposer',
    line: 6,
    says: ['expected one of the known proposers (random, grid', 'got "randm"', 'Did you mean `random`?'],
  },
  {
    title: 'proposer option typo',
    yaml: `${BASE}proposer: { type: grid, point: 3 }\n`,
    keyPath: 'proposer.point',
    line: 6,
    says: ['unknown key `point`', 'Did you mean `points`?', 'type, points'],
  },
  {
    title: 'proposer option out of range, in a list',
    yaml: `${BASE}proposer:\n  - random\n  - type: grid\n    points: 1\n`,
    keyPath: 'proposer[1].points',
    line: 9,
    says: ['expected a whole number ≥ 2, got 1'],
  },
  {
    title: 'proposer listed twice',
    yaml: `${BASE}proposer: [random, grid, random]\n`,
    keyPath: 'proposer[2]',
    line: 6,
    says: ['random is listed twice'],
  },
  {
    title: 'proposer options from another registry (zod issue path mapping)',
    yaml: `${BASE}proposer:\n  - type: tpe\n    gamma: 1.5\n`,
    keyPath: 'proposer[0].gamma',
    line: 8,
    says: ['expected a number < 1, got 1.5'],
    proposers: tpeRegistry,
  },
  {
    title: 'proposer that cannot search the space',
    yaml: `${BASE}  act: { type: categorical, choices: [relu, gelu] }\nproposer: tpe\n`,
    keyPath: 'proposer',
    line: 7,
    says: ['the tpe proposer cannot search this space: it handles numeric parameters only'],
    proposers: tpeRegistry,
  },
  {
    title: 'pruner type typo',
    yaml: `${BASE}pruner: { type: medain }\n`,
    keyPath: 'pruner.type',
    line: 6,
    says: ['expected none or median, got "medain"', 'Did you mean `median`?'],
  },
  {
    title: 'pruner warmup negative',
    yaml: `${BASE}pruner:\n  type: median\n  warmup_steps: -5\n`,
    keyPath: 'pruner.warmup_steps',
    line: 8,
    says: ['expected a whole number ≥ 0, got -5'],
  },
  {
    title: 'evaluate timeout bad',
    yaml: `${BASE}evaluate:\n  command: python3 evaluate.py\n  timeout: 5 minutes\n`,
    keyPath: 'evaluate.timeout',
    line: 8,
    says: ['expected a duration like 90s, 5m or 8h, got "5 minutes"'],
  },
  {
    title: 'frozen absolute path',
    yaml: `${BASE}frozen: [evaluate.py, /etc/passwd]\n`,
    keyPath: 'frozen[1]',
    line: 6,
    says: ['inside workdir', 'got "/etc/passwd"'],
  },
  {
    title: 'constraint without bounds',
    yaml: `${BASE}decide: { mode: constraint, metric: gpu_mem_gb }\n`,
    keyPath: 'decide',
    line: 6,
    says: ['needs min, max or both'],
  },
  {
    title: 'pareto with one objective',
    yaml: `${BASE}decide:\n  mode: pareto\n  objectives:\n    - { name: val_loss, goal: minimize }\n`,
    keyPath: 'decide.objectives',
    line: 8,
    says: ['expected at least two objectives'],
  },
  {
    title: 'pareto objective with Optuna wording',
    yaml: `${BASE}decide:\n  mode: pareto\n  objectives:\n    - { name: val_loss, direction: minimize }\n    - { name: latency, goal: minimize }\n`,
    keyPath: 'decide.objectives[0].direction',
    line: 9,
    says: ['Did you mean `goal`?', 'allowed under decide.objectives[0] are name, goal'],
  },
  {
    title: 'pareto objective without goal',
    yaml: `${BASE}decide:\n  mode: pareto\n  objectives:\n    - { name: val_loss, goal: minimize }\n    - { name: latency }\n`,
    keyPath: 'decide.objectives[1].goal',
    line: 10,
    says: ['missing; expected minimize or maximize'],
  },
  {
    title: 'weighted with no weights',
    yaml: `${BASE}decide: { mode: weighted, weights: {} }\n`,
    keyPath: 'decide.weights',
    line: 6,
    says: ['expected at least one metric: weight pair'],
  },
  {
    title: 'weighted with a non-number weight',
    yaml: `${BASE}decide:\n  mode: weighted\n  weights:\n    val_loss: 1\n    latency: high\n`,
    keyPath: 'decide.weights.latency',
    line: 10,
    says: ['expected a number (the weight of that metric in the sum), got "high"'],
  },
  {
    title: 'decide mode as a bare word that needs settings',
    yaml: `${BASE}decide: pareto\n`,
    keyPath: 'decide',
    line: 6,
    says: ['mode pareto needs more settings', 'objectives'],
  },
  {
    title: 'decide mode typo',
    yaml: `${BASE}decide: { mode: weigthed }\n`,
    keyPath: 'decide.mode',
    line: 6,
    says: ['expected single, constraint, pareto or weighted', 'Did you mean `weighted`?'],
  },
  {
    title: 'reserved env var',
    yaml: `${BASE}env:\n  NIGHTSHIFT_TRIAL_ID: 3\n`,
    keyPath: 'env.NIGHTSHIFT_TRIAL_ID',
    line: 7,
    says: ['reserved'],
  },
  {
    title: 'env value that is a map',
    yaml: `${BASE}env:\n  CUDA: { a: 1 }\n`,
    keyPath: 'env.CUDA',
    line: 7,
    says: ['expected a value as text (or a number), got a map'],
  },
];

describe('loadCampaign: bad files', () => {
  it.each(BAD.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const err = loadError(c.yaml, c.proposers ? { proposers: c.proposers } : undefined);
    expect(err.keyPath).toBe(c.keyPath);
    expect(err.line).toBe(c.line);
    expect(err.file).toMatch(/campaign\.yaml$/);
    expect(path.isAbsolute(err.file)).toBe(true);
    expect(err.message).toContain('campaign.yaml');
    if (c.keyPath) expect(err.message).toContain(`:${c.line}: ${c.keyPath}: `);
    for (const fragment of c.says) expect(err.message).toContain(fragment);
    // One paragraph, no stack trace.
    expect(err.message).not.toMatch(/\n/);
    expect(err.message).not.toMatch(/\bat \S+ \(|\bat file:|node_modules/);
    expect(String(err.stack)).not.toMatch(/\n\s+at /);
  });
});

describe('loadCampaign: reporting', () => {
  it('reports a missing file without a stack', () => {
    let err: unknown;
    try {
      loadCampaign(path.join(root, 'missing.yaml'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/missing\.yaml: cannot read the campaign file \(no such file\)/);
  });

  it('reports the first problem by line and counts the others in the same paragraph', () => {
    const err = loadError(`name: sweep
command: python3 train.py
metric: { name: val_loss, goal: minimize }
space:
  lr: { type: float, low: 1, high: 0.5 }
parallel: zero
budget: { wall: 2 hours }
`);
    expect(err.line).toBe(5);
    expect(err.keyPath).toBe('space.lr.high');
    expect(err.problems.map((p) => [p.line, p.keyPath])).toEqual([
      [5, 'space.lr.high'],
      [6, 'parallel'],
      [7, 'budget.wall'],
    ]);
    expect(err.message).toContain('The file has 2 more problems: line 6 (parallel), line 7 (budget.wall).');
    expect(err.message).not.toMatch(/\n/);
  });
});

describe('loadCampaign: encoding', () => {
  it('refuses a file that is not UTF-8, naming the line, instead of silently replacing bytes', () => {
    const file = write('');
    // Latin-1 "é" (0xE9) on line 2: decoded leniently it would become U+FFFD inside the command.
    writeFileSync(file, Buffer.concat([Buffer.from('name: sweep\ncommand: python3 caf'), Buffer.from([0xe9]), Buffer.from('.py {lr}\n' + BASE.split('\n').slice(2).join('\n'))]));
    let err: unknown;
    try {
      loadCampaign(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).line).toBe(2);
    expect((err as ConfigError).message).toMatch(/campaign\.yaml:2: .*not UTF-8/);
    expect((err as ConfigError).message).not.toMatch(/\n/);
  });
});

describe('command placeholders', () => {
  it('finds {name}, skips ${VAR}, {{ }} and other braces', () => {
    expect(commandPlaceholders('python3 t.py --lr {lr} --w {width} {lr} ${HOME} {{lit}} {a,b} {1..3} $X')).toEqual(['lr', 'width']);
  });
});

describe('patternProblem', () => {
  it.each([
    ['loss=([0-9.]+)', null],
    ['step (?<step>\\d+) loss=([0-9.]+)', null],
    ['loss=(?:a|b)([0-9.]+)', null],
    ['/LOSS=([0-9.]+)/i', null],
    ['(?<step>\\d+) (?<value>[0-9.]+)', null],
  ])('%s is fine', (p, r) => expect(patternProblem(p)).toBe(r));
  it.each([
    ['loss=[0-9.]+', 'no capture group'],
    ['/loss=(/i', 'does not compile'],
    ['(a)(b)', '2 capture groups'],
    ['(?<val>[0-9.]+)', 'named group (?<val>'],
    ['(?<value>[0-9.]+) (x)', '2 capture groups'],
    ['(', 'does not compile'],
  ])('%s is rejected', (p, why) => expect(patternProblem(p)).toContain(why));
});

describe('the shipped samples', () => {
  const samples = path.resolve(__dirname, '../../samples');
  const files = existsSync(samples)
    ? readdirSync(samples).map((d) => path.join(samples, d, 'campaign.yaml')).filter((f) => existsSync(f))
    : [];
  it.each(files.map((f) => [path.relative(samples, f), f]))('%s loads', (_name, file) => {
    const c = loadCampaign(file);
    expect(c.file).toBe(file);
    expect(Object.keys(c.space).length).toBeGreaterThan(0);
  });
});

describe('loadCampaign: a NUL character', () => {
  // YAML's "\0" escape (e.g. "\033" meant as octal ESC) reads as NUL + "33". No process can take a
  // NUL in its arguments or environment: once it reached spawn it stopped supervision with an
  // internal error; it is a mistake in the file, said when the file is read.
  it('in the command is refused with its line and what to write instead', () => {
    const err = loadError(BASE.replace(/^command: .*$/m, 'command: "printf \'\\033[2J\'; python3 train.py {lr}"'));
    expect(err.line).toBe(2);
    expect(err.message).toMatch(/campaign\.yaml:2: command: .*NUL/);
    expect(err.message).toContain('\\x1b');
    expect(err.message).not.toMatch(/\n/);
  });

  it('in an env value is refused too', () => {
    const err = loadError(`${BASE}\nenv: { A: "x\\0y" }`);
    expect(err.message).toMatch(/env\.A: .*NUL/);
  });
});
