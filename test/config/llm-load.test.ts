// The loader reads `llm:` (check/llm.ts wired in with file:line and key paths), budget.usd and
// budget.gpu_hour_usd, and refuses an LLM proposer without `llm:` or a dollar budget with nothing priced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nightshift-llmcfg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const BASE = `name: sweep
command: python3 train.py --lr {lr}
metric: { name: val_loss, goal: minimize }
space:
  lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }
`;

function load(yaml: string) {
  const file = path.join(root, `c${n++}.yaml`);
  writeFileSync(file, yaml);
  return loadCampaign(file, { proposers: PROPOSERS, cwd: root });
}

function error(yaml: string): ConfigError {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('llm: and money in the campaign file', () => {
  it('reads llm: (defaults filled, durations in ms) and budget.usd / gpu_hour_usd', () => {
    const c = load(`${BASE}proposer: { type: llm-params, k_history: 10 }
llm:
  model: llama3.1:8b
  base_url: http://localhost:11434/v1
  timeout: 30s
  price: { input_per_mtok: 0.4, output_per_mtok: 1.6 }
budget: { usd: 12.5, gpu_hour_usd: 2 }
`);
    expect(c.llm).toEqual({ model: 'llama3.1:8b', base_url: 'http://localhost:11434/v1', api_key_env: 'OPENAI_API_KEY', timeout_ms: 30_000, price: { input_per_mtok: 0.4, output_per_mtok: 1.6 } });
    expect(c.budget).toMatchObject({ usd: 12.5, gpu_hour_usd: 2 });
    expect(c.proposers).toEqual([{ type: 'llm-params', options: { k_history: 10, failed_history: 5, token_budget: 4000 } }]);
  });

  it('an LLM proposer without llm: says exactly what to add', () => {
    const e = error(`${BASE}proposer: llm-params\n`);
    expect(e.keyPath).toBe('proposer');
    expect(e.line).toBe(6);
    expect(e.message).toMatch(/c\d+\.yaml:6: proposer: the llm-params proposer asks a language model for its proposals, but the file has no llm: section\. Add one, e\.g\. llm: \{ model: gpt-4\.1-mini, api_key_env: OPENAI_API_KEY \}/);
  });

  it('the check is the registry flag: llm-code behind hybrid needs llm: too', () => {
    const e = error(`${BASE}proposer: { type: hybrid, params: tpe, code: llm-code }\n`);
    expect(e.message).toContain('the llm-code proposer asks a language model for its proposals, but the file has no llm: section');
  });

  it('maps each llm problem to its line and key path', () => {
    const e = error(`${BASE}proposer: llm-params
llm:
  model: gpt-4.1-mini
  price: { input_per_mtok: -1, output_per_mtok: 1.6 }
  temprature: 0.7
`);
    expect(e.problems.map((p) => [p.line, p.keyPath])).toEqual([
      [9, 'llm.price.input_per_mtok'],
      [10, 'llm.temprature'],
    ]);
    expect(e.problems[0].detail).toContain('expected a non-negative number of US dollars per million tokens');
    expect(e.problems[1].detail).toContain('did you mean temperature?');
  });

  it('never echoes an API key written as api_key_env', () => {
    const e = error(`${BASE}llm: { model: m, api_key_env: sk-abcdefghijklmnop1234567890 }\n`);
    expect(e.keyPath).toBe('llm.api_key_env');
    expect(e.message).toContain('looks like an API key');
    expect(e.message).not.toContain('sk-abcdefghijklmnop1234567890');
  });

  it('suggests llm for near misses at the top level', () => {
    expect(error(`${BASE}lm: { model: m }\n`).message).toContain('Did you mean `llm`?');
    expect(error(`${BASE}model: gpt-4.1-mini\n`).message).toContain('Did you mean `llm.model`?');
  });

  it('budget.usd needs something priced, and must be a positive number', () => {
    const e = error(`${BASE}budget: { usd: 5 }\n`);
    expect(e.keyPath).toBe('budget.usd');
    expect(e.detail).toMatch(/nothing here costs money: there is no llm: section and no budget\.gpu_hour_usd/);
    expect(load(`${BASE}budget: { usd: 5, gpu_hour_usd: 1.5 }\n`).budget.usd).toBe(5);
    const neg = error(`${BASE}budget: { usd: -3, gpu_hour_usd: 1 }\n`);
    expect(neg.keyPath).toBe('budget.usd');
    expect(neg.detail).toMatch(/^expected a number of US dollars > 0.*got -3/);
    expect(error(`${BASE}budget: { dollars: 5 }\n`).message).toContain('Did you mean `usd`?');
  });
});
