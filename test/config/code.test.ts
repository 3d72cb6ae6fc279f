// The loader's code-trial keys: mutable, review, preflight; a campaign of code proposers needs no
// space, a params proposer still does, and a code proposer without mutable is named.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../src/config/errors.js';
import { parseCampaign, type ProposerRegistry } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';

const file = path.join(process.cwd(), 'campaign.yaml');
const registry: ProposerRegistry = { ...PROPOSERS, coder: { options: z.object({}).strict(), side: 'code' } };
const load = (yaml: string) => parseCampaign(yaml, file, { proposers: registry });
const error = (yaml: string): string => {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};
const BASE = 'name: c\ncommand: python3 train.py\nmetric: { name: loss, goal: minimize }\n';
const SPACE = 'space:\n  lr: { type: float, low: 0.001, high: 0.1 }\n';

describe('loader: code trials', () => {
  it('a code-only campaign needs no space; mutable as a list or one string; review and preflight read', () => {
    const c = load(`${BASE}proposer: coder\nmutable: [train.py, "model/*.py"]\nreview: manual\npreflight: { command: python3 train.py --steps 1, timeout: 30s }\n`);
    expect(c.space).toEqual({});
    expect(c.mutable).toEqual(['train.py', 'model/*.py']);
    expect(c.review).toBe('manual');
    expect(c.preflight).toEqual({ command: 'python3 train.py --steps 1', timeout_ms: 30_000 });
    const d = load(`${BASE}proposer: coder\nmutable: train.py\npreflight: python3 -m py_compile train.py\n`);
    expect(d.mutable).toEqual(['train.py']);
    expect(d.review).toBe('auto');
    expect(d.preflight?.command).toBe('python3 -m py_compile train.py');
    // Without mutable: nothing to change.
    expect(load(`${BASE}${SPACE}proposer: random\n`).mutable).toEqual([]);
  });

  it('a params proposer beside a code proposer still needs a space', () => {
    expect(error(`${BASE}proposer: [coder, random]\nmutable: [train.py]\n`)).toMatch(/space/);
    expect(load(`${BASE}${SPACE}proposer: [coder, random]\nmutable: [train.py]\n`).proposers.map((p) => p.type)).toEqual(['coder', 'random']);
  });

  it('a code proposer without mutable says to add it', () => {
    expect(error(`${BASE}proposer: coder\n`)).toMatch(/coder proposer edits code, so the campaign needs `mutable:`/);
  });

  it('a literal path both mutable and frozen is an error; bad values are named', () => {
    expect(error(`${BASE}proposer: coder\nmutable: [train.py, ./evaluate.py]\nfrozen: [evaluate.py]\n`)).toMatch(/evaluate\.py is listed both as mutable and as frozen/);
    expect(error(`${BASE}proposer: coder\nmutable: [../x.py]\n`)).toMatch(/inside workdir/);
    expect(error(`${BASE}proposer: coder\nmutable: [train.py]\nreview: sometimes\n`)).toMatch(/review.*expected auto .* or manual/s);
    expect(error(`${BASE}proposer: coder\nmutable: [train.py]\npreflight: { command: x, timout: 3s }\n`)).toMatch(/timout/);
  });
});
