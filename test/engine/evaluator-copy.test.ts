// The evaluator's clean copy on real files: made from the recorded frozen files, read-only, refused
// with a clear reason when the workdir no longer matches the record, rebuilt when altered; and the
// evaluator's PYTHONPATH kept out of the workdir and the state directory.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir } from '../helpers.js';
import { FrozenFiles } from '../../src/frozen.js';
import { EvaluatorCopy } from '../../src/engine/evaluator-copy.js';
import { evaluatorPythonPath } from '../../src/engine/evaluate.js';

function setup() {
  const dir = campaignDir({ 'evaluate.py': 'import data\n', 'data/labels.txt': '1\n2\n', 'train.py': 'pass\n' });
  const recorded = new FrozenFiles(dir, ['evaluate.py', 'data/**', 'missing.py']).hashAll();
  return { dir, recorded, state: path.join(dir, '.nightshift') };
}

describe('the evaluator clean copy', () => {
  it('holds exactly the frozen files, read-only, and is reused while intact', () => {
    const { dir, recorded, state } = setup();
    const copy = new EvaluatorCopy(dir, state);
    const r = copy.ensure(recorded);
    expect(r).toEqual({ ok: true, dir: copy.dirFor(recorded), rebuilt: undefined });
    if (!r.ok) return;
    expect(r.dir.startsWith(path.join(state, 'evaluator') + path.sep)).toBe(true);
    expect(fs.readFileSync(path.join(r.dir, 'data/labels.txt'), 'utf8')).toBe('1\n2\n');
    expect(fs.existsSync(path.join(r.dir, 'train.py'))).toBe(false);
    expect(fs.statSync(path.join(r.dir, 'evaluate.py')).mode & 0o777).toBe(0o444);
    expect(fs.statSync(r.dir).mode & 0o777).toBe(0o555);
    expect(copy.ensure(recorded)).toEqual({ ok: true, dir: r.dir });
  });

  it('rebuilds a copy something was dropped into or edited in, and says what was wrong', () => {
    const { dir, recorded, state } = setup();
    const copy = new EvaluatorCopy(dir, state);
    const r = copy.ensure(recorded);
    if (!r.ok) throw new Error(r.error);
    fs.chmodSync(r.dir, 0o755);
    fs.writeFileSync(path.join(r.dir, 'json.py'), 'raise SystemExit\n');
    fs.chmodSync(path.join(r.dir, 'evaluate.py'), 0o644);
    fs.appendFileSync(path.join(r.dir, 'evaluate.py'), 'print("val_loss=0")\n');
    const again = copy.ensure(recorded);
    expect(again).toMatchObject({ ok: true, dir: r.dir, rebuilt: 'evaluate.py changed, json.py added' });
    expect(fs.existsSync(path.join(r.dir, 'json.py'))).toBe(false);
    expect(fs.readFileSync(path.join(r.dir, 'evaluate.py'), 'utf8')).toBe('import data\n');
  });

  it('refuses, naming the file, when the workdir no longer matches the hashes recorded at the start', () => {
    const { dir, recorded, state } = setup();
    fs.writeFileSync(path.join(dir, 'data/labels.txt'), '0\n0\n');
    const r = new EvaluatorCopy(dir, state).ensure(recorded);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContain('no longer match the hashes recorded when the campaign started (data/labels.txt changed)');
    expect(fs.readdirSync(path.join(state, 'evaluator'))).toEqual([]);
  });

  it('moves PYTHONPATH entries in the workdir into the copy and drops those in the state directory', () => {
    const at = { workdir: '/w', stateDir: '/w/.nightshift', copy: '/w/.nightshift/evaluator/abc' };
    expect(evaluatorPythonPath(['/w/lib', '/w/.nightshift/trials/3', '/opt/site', 'rel', ''].join(path.delimiter), at)).toBe(
      ['/w/.nightshift/evaluator/abc/lib', '/opt/site', 'rel'].join(path.delimiter),
    );
    expect(evaluatorPythonPath(undefined, at)).toBe('');
  });
});
