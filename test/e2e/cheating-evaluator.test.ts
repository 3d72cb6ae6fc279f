// Trials written to cheat the evaluator, each a real campaign through the CLI, without the sandbox
// (sandbox: none): what stops them is the evaluator's own isolation (it runs after the trial, in a
// clean copy of the frozen files, its only input the trial directory, its PYTHONPATH kept out of the
// workdir). Each cheat is ignored and labelled, and `nightshift verify` passes afterwards.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, stateOf } from '../helpers.js';
import { git, makeRepo } from '../workspace/helpers.js';
import { allTrials, getTrial } from '../../src/state.js';

// Gold labels (frozen) and an evaluator (frozen) that recomputes val_loss from the predictions the
// trial wrote. It is a little lazy, as real ones are: without predictions in the trial directory it
// reads ./predictions.json.
const DATA = 'LABELS = [0.1 * i for i in range(10)]\n';
const EVALUATE = `import json, os, sys
import data
p = os.path.join(os.environ.get("NIGHTSHIFT_TRIAL_DIR", "."), "predictions.json")
if not os.path.exists(p):
    p = "predictions.json"
pred = json.load(open(p))
print(f"val_loss={sum((a - b) ** 2 for a, b in zip(pred, data.LABELS)) / len(data.LABELS):.6f}")
`;
// An honest trial: predictions off by x, so val_loss = x^2. CHEAT runs in trial 2 only.
const TRAIN = (cheat: string) => `import json, os, sys
x = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
trial_dir = os.environ["NIGHTSHIFT_TRIAL_DIR"]
honest = True
if os.environ["NIGHTSHIFT_TRIAL_ID"] == "2":
${cheat.replace(/^/gm, '    ')}
if honest:
    json.dump([0.1 * i + x for i in range(10)], open(os.path.join(trial_dir, "predictions.json"), "w"))
print("done")
`;
const PERFECT = 'json.dumps([0.1 * i for i in range(10)])';

function campaign(name: string, extra = ''): string {
  return `name: ${name}
command: python3 train.py {x}
metric: { name: val_loss, goal: minimize }
space:
  x: { type: float, low: 0.2, high: 1 }
proposer: random
seed: 3
parallel: 1
sandbox: none
budget: { trials: 3 }
evaluate: python3 evaluate.py
frozen: [evaluate.py, data.py]
${extra}`;
}

function run(dir: string) {
  const r = cli(['run', 'campaign.yaml', '--headless', '--out', 'out'], dir);
  expect(r.code, r.stderr).toBe(0);
  const verified = cli(['verify', 'campaign.yaml', '--out', 'out'], dir);
  expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  return stateOf(path.join(dir, 'out'));
}

const evaluatorLog = (dir: string, id: number) => fs.readFileSync(path.join(dir, 'out', 'trials', String(id), 'evaluate.log'), 'utf8');

// Each test is two CLI runs (a campaign, then verify): generous under a loaded machine.
describe('a trial cheating its evaluator', { timeout: 180_000 }, () => {
  it('(a) writes fake score files and perfect predictions where the evaluator might look: the score is only the evaluator’s computation', () => {
    const dir = campaignDir({
      'campaign.yaml': campaign('cheat-score-file'),
      'data.py': DATA,
      'evaluate.py': EVALUATE,
      'train.py': TRAIN(`honest = False
fake = json.dumps({"val_loss": 0.0, "score": 0.0})
for where in [".", trial_dir, "/tmp"]:
    open(os.path.join(where, "score.json" if where != "/tmp" else "nightshift-cheat-%s.json" % os.path.basename(os.getcwd())), "w").write(fake)
open("predictions.json", "w").write(${PERFECT})
open("val_loss", "w").write("0.0")`),
    });
    const s = run(dir);
    const cheater = getTrial(s, 2)!;
    // Its perfect predictions sit in the workdir, not in its trial directory: the evaluator, in its
    // clean copy, cannot find them, so the trial has no score (a crash saying why).
    expect(cheater.status).toBe('crash');
    expect(cheater.score).toBeNull();
    expect(cheater.reason).toMatch(/the evaluator exited with 1: .*predictions\.json/);
    for (const t of allTrials(s).filter((t) => t.id !== 2)) {
      expect(t.score).toBeCloseTo((t.params.x as number) ** 2, 5);
    }
    expect(s.best).not.toBe(2);
    fs.rmSync(path.join('/tmp', `nightshift-cheat-${path.basename(dir)}.json`), { force: true });
  });

  it('(b) prints the metric line the evaluator would print: ignored, and the decision says so', () => {
    const dir = campaignDir({
      'campaign.yaml': campaign('cheat-printed-metric'),
      'data.py': DATA,
      'evaluate.py': EVALUATE,
      'train.py': TRAIN(`print("val_loss=0.0", flush=True)
print("val_loss: 0.0", flush=True)`),
    });
    const s = run(dir);
    const cheater = getTrial(s, 2)!;
    expect(cheater.score).toBeCloseTo((cheater.params.x as number) ** 2, 5);
    expect(cheater.reason).toMatch(/the trial printed val_loss=0; the evaluator's [0-9.]+ counts/);
    // An honest trial printed nothing of the sort: no note.
    expect(getTrial(s, 1)!.reason).not.toContain('ignored');
  });

  it('(c) edits evaluate.py in its own worktree: invalid, never scored, the branch not moved', () => {
    const lines = TRAIN_CODE.replace(/\n$/, '').split('\n');
    const diff = (to: string) =>
      `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,${lines.length} +1,${lines.length} @@\n${lines.map((l, j) => (j === 0 ? `-${l}\n+${to}` : ` ${l}`)).join('\n')}\n`;
    const patches = [
      { hypothesis: 'a smaller offset', diff: diff('X = 0.3') },
      { hypothesis: 'rewrite the evaluator to print a perfect score', diff: diff('X = 0.9; open("evaluate.py", "w").write("print(\'val_loss=0.0\')\\n")') },
    ];
    const repo = makeRepo({
      'campaign.yaml': `name: cheat-edit-evaluator
command: python3 train.py
metric: { name: val_loss, goal: minimize }
mutable: [train.py]
frozen: [evaluate.py, data.py]
evaluate: python3 evaluate.py
sandbox: none
proposer: ${JSON.stringify({ type: 'patches', patches })}
budget: { trials: 2 }
`,
      'train.py': TRAIN_CODE,
      'data.py': DATA,
      'evaluate.py': EVALUATE,
    });
    const s = run(repo);
    expect(getTrial(s, 1)!.status).toBe('keep');
    expect(getTrial(s, 1)!.score).toBeCloseTo(0.09, 5);
    const cheater = getTrial(s, 2)!;
    expect(cheater.status).toBe('invalid');
    expect(cheater.score).toBeNull();
    expect(cheater.reason).toContain("evaluate.py (in the trial's worktree)");
    // The campaign branch holds the honest trial's commit; the user's evaluate.py is untouched.
    expect(git(repo, 'rev-parse', 'nightshift/cheat-edit-evaluator').trim()).toBe(getTrial(s, 1)!.commit);
    expect(fs.readFileSync(path.join(repo, 'evaluate.py'), 'utf8')).toBe(EVALUATE);
  });

  it('(d) drops sitecustomize/usercustomize, a .pth and a module shadowing json where the evaluator imports from: none is imported', () => {
    const dir = campaignDir({ 'data.py': DATA, 'evaluate.py': EVALUATE });
    const lib = path.join(dir, 'lib');
    fs.mkdirSync(lib);
    // The campaign puts the workdir's lib/ on PYTHONPATH (for its trials); the trial writes there.
    // Two trials: a third would import the shadowing json.py itself (it runs in the workdir).
    fs.writeFileSync(path.join(dir, 'campaign.yaml'), campaign('cheat-import-path', `env: { PYTHONPATH: ${JSON.stringify(lib)} }\n`).replace('trials: 3', 'trials: 2'));
    fs.writeFileSync(
      path.join(dir, 'train.py'),
      TRAIN(`forge = "import atexit, sys\\nsys.stderr.write('CHEAT %s IMPORTED\\\\n')\\natexit.register(lambda: print('val_loss=0.0'))\\n"
shadow = "import sys\\nsys.stderr.write('CHEAT json.py IMPORTED\\\\n')\\ndef load(f): return [0.1 * i for i in range(10)]\\n"
# Where the evaluator used to look: its cwd (the workdir, also the script's directory), PYTHONPATH,
# and the clean copy itself (one directory over from the trial's own, under the state directory).
evaluator_dirs = [d for d in __import__("glob").glob(os.path.join(trial_dir, "..", "..", "evaluator", "*"))]
for where in [".", "lib"] + evaluator_dirs:
    os.chmod(where, 0o755)
    for mod in ["sitecustomize", "usercustomize"]:
        open(os.path.join(where, mod + ".py"), "w").write(forge % mod)
    open(os.path.join(where, "cheat.pth"), "w").write("import sys; sys.stderr.write('CHEAT .pth IMPORTED\\\\n')\\n")
    open(os.path.join(where, "json.py"), "w").write(shadow)`),
    );
    const s = run(dir);
    for (const t of allTrials(s)) {
      expect(t.score).toBeCloseTo((t.params.x as number) ** 2, 5);
      expect(evaluatorLog(dir, t.id)).not.toContain('CHEAT');
    }
    // The copy the trial wrote into was found altered and rebuilt before trial 2 was scored.
    expect(getTrial(s, 2)!.reason).toMatch(/the evaluator's clean copy had been altered \(.*sitecustomize\.py added.*\) and was rebuilt before scoring/);
    expect(fs.existsSync(path.join(dir, 'lib', 'sitecustomize.py'))).toBe(true);
  });
});

// The code trial's train.py: its first line is what the patches change.
const TRAIN_CODE = `X = 0.5
import json, os
json.dump([0.1 * i + X for i in range(10)], open(os.path.join(os.environ["NIGHTSHIFT_TRIAL_DIR"], "predictions.json"), "w"))
print("done")
`;
