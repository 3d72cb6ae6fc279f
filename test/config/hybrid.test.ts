// `proposer: { type: hybrid, ... }` in the loader: expands to the two proposers and the switch's rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'nightshift-hybrid-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function load(yaml: string) {
  const file = path.join(root, `c${n++}.yaml`);
  writeFileSync(file, yaml);
  return loadCampaign(file, { proposers: PROPOSERS });
}
function problems(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.keyPath}: ${p.detail}`).join('\n');
  }
  throw new Error('expected a ConfigError');
}

const HEAD = `name: h
command: python3 train.py --lr {lr}
metric: { name: loss, goal: minimize }
mutable: [train.py]
llm: { model: m }
`;
const SPACE = `space:
  lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }
`;

describe('proposer: hybrid', () => {
  it('expands to the params proposer then the code proposer, with the switch rules and defaults', () => {
    const c = load(`${HEAD}${SPACE}proposer: { type: hybrid, params: tpe, code: { type: llm-code, edit_format: whole, max_revisions: 1 }, stall: 10 }\n`);
    expect(c.proposers.map((p) => p.type)).toEqual(['tpe', 'llm-code']);
    expect(c.proposers[1].options).toMatchObject({ edit_format: 'whole', max_revisions: 1, history: 12 });
    expect(c.proposers[0].options).toMatchObject({ n_startup: 10 });
    expect(c.hybrid).toEqual({ params: 'tpe', code: 'llm-code', stall: 10, fallback_after: 3, ask_after: 5 });
  });

  it('a plain proposer has no hybrid rules', () => {
    expect(load(`${HEAD}${SPACE}proposer: tpe\n`).hybrid).toBeUndefined();
  });

  it('says what is wrong with a bad hybrid block', () => {
    expect(problems(`${HEAD}${SPACE}proposer: { type: hybrid, params: tpe }\n`)).toMatch(/proposer\.code: missing; expected the code proposer hybrid switches to, e\.g\. code: llm-code/);
    expect(problems(`${HEAD}${SPACE}proposer: { type: hybrid, params: llm-code, code: tpe }\n`)).toMatch(
      /proposer\.params: llm-code proposes code edits, not parameter points[\s\S]*proposer\.code: tpe proposes parameter points, not code edits/,
    );
    expect(problems(`${HEAD}${SPACE}proposer: { type: hybrid, params: tpee, code: llm-code }\n`)).toMatch(/proposer\.params: .*Did you mean `tpe`/);
    expect(problems(`${HEAD}${SPACE}proposer: { type: hybrid, params: tpe, code: llm-code, stal: 3 }\n`)).toMatch(/unknown key `stal`.*Did you mean `stall`/);
    expect(problems(`${HEAD}${SPACE}proposer: { type: hybrid, params: tpe, code: llm-code, fallback_after: 0 }\n`)).toMatch(/proposer\.fallback_after: expected a whole number/);
    expect(problems(`${HEAD}${SPACE}proposer: { type: hybrid, params: tpe, code: { type: llm-code, edit_format: patch } }\n`)).toMatch(/proposer\.code\.edit_format/);
    expect(problems(`${HEAD}${SPACE}proposer: [tpe, { type: hybrid, params: tpe, code: llm-code }]\n`)).toMatch(/hybrid cannot be listed with other proposers/);
    expect(problems(`${HEAD}${SPACE}proposer: hybrid\n`)).toMatch(/hybrid needs the two proposers/);
    expect(problems(`${HEAD}proposer: { type: hybrid, params: tpe, code: llm-code }\n`)).toMatch(/proposer: hybrid switches between parameter search and code edits, so the campaign needs a `space:`/);
  });
});
