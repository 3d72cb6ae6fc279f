// How params reach a trial: `{name}` placeholders (shell-quoted, floats written as floats),
// params.json and NIGHTSHIFT_PARAMS. Checked with a real shell and a real Python trial.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { campaignDir } from '../helpers.js';
import { commandPlaceholders, formatParam, paramsJson, renderCommand } from '../../src/engine/command.js';
import { openNew } from '../../src/session.js';
import { allTrials } from '../../src/state.js';
import type { Space } from '../../src/types.js';

/** The words a POSIX shell sees for a rendered command `printf '%s\n' ...`. */
function words(rendered: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', rendered], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').slice(0, -1);
}

const SPACE: Space = {
  lr: { type: 'float', low: 0, high: 2 },
  n: { type: 'int', low: 1, high: 8 },
  name: { type: 'categorical', choices: ['x y', "it's", 'a;b', '$(touch pwned)', 'plain', true, 3] },
};

describe('renderCommand', () => {
  it('writes whole-number floats as floats and ints as ints', () => {
    expect(formatParam(SPACE.lr, 1)).toBe('1.0');
    expect(formatParam(SPACE.lr, 0)).toBe('0.0');
    expect(formatParam(SPACE.lr, -3)).toBe('-3.0');
    expect(formatParam(SPACE.lr, 0.25)).toBe('0.25');
    expect(formatParam(SPACE.lr, 1e-7)).toBe('1e-7');
    expect(formatParam(SPACE.n, 4)).toBe('4');
    expect(renderCommand('train --lr {lr} --n {n}', { lr: 1, n: 4 }, SPACE)).toBe('train --lr 1.0 --n 4');
  });

  it('shell-quotes values with spaces and metacharacters, bare and inside quotes', () => {
    for (const value of ['x y', "it's", 'a;b', '$(touch pwned)', '`id`', 'back\\slash', '"dq"', 'plain']) {
      const cmd = `printf '%s\\n' {name} "{name}" '{name}' pre{name}post`;
      expect(words(renderCommand(cmd, { name: value }, SPACE))).toEqual([value, value, value, `pre${value}post`]);
    }
    expect(words(renderCommand(`printf '%s\\n' {name} {lr}`, { name: true, lr: 2 }, SPACE))).toEqual(['true', '2.0']);
  });

  it('keeps {{ }} as literal braces and ${VAR} for the shell', () => {
    expect(renderCommand('echo {{x}} ${HOME} {n}', { n: 2, x: 1 }, SPACE)).toBe('echo {x} ${HOME} 2');
  });

  it('names as placeholders exactly what it fills (the campaign check and the runtime read one grammar)', () => {
    const params = { a: 'AAA', b: 'BBB', x: 'XXX' };
    for (const cmd of ['echo {a} {b}', 'echo \\{a} {b}', "echo '\\{a}' {x}", 'echo ${x} {{b}} {a}', 'echo {a,b} {1..3} "{b}"', 'echo "\\{x}" {a}']) {
      const rendered = renderCommand(cmd, params);
      const filled = Object.keys(params).filter((k) => rendered.includes(params[k as keyof typeof params]));
      expect(commandPlaceholders(cmd).sort(), cmd).toEqual(filled);
    }
  });

  it('writes params.json and NIGHTSHIFT_PARAMS with whole-number floats as 1.0 (valid JSON)', () => {
    const text = paramsJson({ lr: 1, n: 4, name: 'x y' }, SPACE);
    expect(text).toContain('"lr": 1.0');
    expect(text).toContain('"n": 4');
    expect(JSON.parse(text)).toEqual({ lr: 1, n: 4, name: 'x y' });
    expect(paramsJson({ lr: 0, n: 1 }, SPACE, 0)).toBe('{"lr":0.0,"n":1}');
  });
});

describe('a trial that checks the type of its float argument (nanoGPT configurator style)', () => {
  it('gets floats on the command line, in params.json and in NIGHTSHIFT_PARAMS, and a two-word choice as one argument', async () => {
    const script = `import ast, json, os, sys
v = ast.literal_eval(sys.argv[1])
assert type(v) is float, f"argv {sys.argv[1]!r} is {type(v).__name__}"
p = json.load(open(os.path.join(os.environ["NIGHTSHIFT_TRIAL_DIR"], "params.json")))
assert type(p["x"]) is float, "params.json"
assert type(json.loads(os.environ["NIGHTSHIFT_PARAMS"])["x"]) is float, "NIGHTSHIFT_PARAMS"
assert sys.argv[2] in ("x y", "z"), sys.argv[2:]
assert len(sys.argv) == 3, sys.argv
print(f"loss: {v + (0.5 if sys.argv[2] == 'z' else 0)}")
`;
    const dir = campaignDir({
      'campaign.yaml': `name: floats
command: python3 check.py {x} {opt}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1, step: 1 }
  opt: { type: categorical, choices: ["x y", z] }
proposer: grid
budget: { trials: 4 }
`,
      'check.py': script,
    });
    const session = await openNew(path.join(dir, 'campaign.yaml'), {});
    await session.begin();
    session.release();
    const trials = allTrials(session.store.getState());
    for (const t of trials) expect(['keep', 'discard'], `#${t.id}: ${t.reason}`).toContain(t.status);
    expect(trials).toHaveLength(4);
  });
});
