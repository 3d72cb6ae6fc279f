// The local runner with a sandbox (runners/sandbox/), on real bwrap and real processes: the trial
// runs inside or not at all (sandboxError), a cooperative stop reaches it and lets it clean up,
// its supervisor files cannot be replaced from inside, and the glob expansion the runner does.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalRunner } from '../../runners/local.js';
import { expandGlobs } from '../../runners/sandbox/local.js';
import { sandboxCommand } from '../../runners/sandbox/wrap.js';
import type { SandboxSpec, TrialLaunch } from '../../src/runner.js';
import { waitFor } from '../helpers.js';

let base: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-sandbox-'));
  fs.mkdirSync(path.join(base, 'work'));
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const spec = (): SandboxSpec => ({ network: false, hide: [], readOnly: [], hidePaths: [path.join(base, 'state')] });

function launch(command: string, extra: Partial<TrialLaunch> = {}): TrialLaunch {
  const dir = path.join(base, 'state', 'trials', '1');
  return { id: 1, command, cwd: path.join(base, 'work'), dir, env: { NIGHTSHIFT_TRIAL_DIR: dir, NIGHTSHIFT_CONTROL: path.join(dir, 'control') }, params: {}, files: {}, sandbox: spec(), ...extra };
}

/** A directory for PATH holding a `bwrap` that fails the way bwrap does when it cannot set up. */
function failingBwrap(): string {
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'bwrap'), '#!/bin/sh\necho "bwrap: Creating new namespace failed: Operation not permitted" >&2\nexit 1\n', { mode: 0o755 });
  return bin;
}

describe('the local runner with a sandbox', () => {
  it('runs the command inside: the state directory is gone but for its own trial directory, and it writes only there', async () => {
    fs.mkdirSync(path.join(base, 'state', 'trials', '2'), { recursive: true });
    fs.writeFileSync(path.join(base, 'state', 'journal.jsonl'), '{}\n');
    const runner = new LocalRunner(1);
    const t = await runner.start(launch('ls "$NIGHTSHIFT_TRIAL_DIR/../.."; ls "$NIGHTSHIFT_TRIAL_DIR/.."; echo mine > "$NIGHTSHIFT_TRIAL_DIR/out.txt"; echo done'), runner.free()[0], () => {});
    const exit = await t.done;
    expect(exit).toMatchObject({ code: 0 });
    expect(exit.sandboxError).toBeUndefined();
    const log = fs.readFileSync(path.join(base, 'state', 'trials', '1', 'output.log'), 'utf8');
    expect(log).toBe('trials\n1\ndone\n');
    expect(fs.readFileSync(path.join(base, 'state', 'trials', '1', 'out.txt'), 'utf8')).toBe('mine\n');
  });

  it('when bwrap cannot set up, the trial ends with sandboxError and its command never ran', async () => {
    const runner = new LocalRunner(1);
    const marker = path.join(base, 'work', 'ran');
    const t = await runner.start(launch(`touch ${marker}`, { env: { PATH: `${failingBwrap()}:${process.env.PATH}` } }), runner.free()[0], () => {});
    const exit = await t.done;
    expect(exit.sandboxError).toBe('bwrap: Creating new namespace failed: Operation not permitted');
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('when bwrap is not installed, the reason says what to install', async () => {
    // A PATH with the few tools the wrapper needs and no bwrap.
    const bin = path.join(base, 'nobwrap');
    fs.mkdirSync(bin);
    fs.symlinkSync('/bin/rm', path.join(bin, 'rm'));
    const runner = new LocalRunner(1);
    const t = await runner.start(launch('echo ran', { env: { PATH: bin } }), runner.free()[0], () => {});
    const exit = await t.done;
    expect(exit.sandboxError).toMatch(/bwrap \(bubblewrap\) is not installed on this machine: install it \(apt-get install bubblewrap\), or set sandbox: none/);
  });

  it('a cooperative stop reaches the trial inside and lets it finish cleaning up (its own exit code)', async () => {
    const runner = new LocalRunner(1);
    const cmd = `trap 'sleep 0.3; echo cleaned > "$NIGHTSHIFT_TRIAL_DIR/cleaned"; exit 3' TERM; echo ready; while :; do sleep 0.05; done`;
    const lines: string[] = [];
    const t = await runner.start(launch(cmd), runner.free()[0], (l) => lines.push(l));
    await waitFor(() => lines.includes('ready'), 30_000, 'the trial to start');
    await t.cancel('stop', 20_000);
    const exit = await t.done;
    expect(exit.code).toBe(3);
    expect(fs.readFileSync(path.join(base, 'state', 'trials', '1', 'cleaned'), 'utf8')).toBe('cleaned\n');
    expect(fs.readFileSync(path.join(base, 'state', 'trials', '1', 'control'), 'utf8')).toBe('stop\n');
  });

  it('the supervisor files cannot be removed or swapped for a symlink from inside', async () => {
    const runner = new LocalRunner(1);
    const d = '"$NIGHTSHIFT_TRIAL_DIR"';
    const t = await runner.start(launch(`for f in exit_code control output.log sandbox_status; do rm -f ${d}/$f; mv ${d}/$f ${d}/x 2>/dev/null; ln -sf /etc/passwd ${d}/$f; done; exit 4`), runner.free()[0], () => {});
    const exit = await t.done;
    expect(exit.code).toBe(4);
    for (const f of ['exit_code', 'control', 'output.log', 'sandbox_status']) expect(fs.lstatSync(path.join(base, 'state', 'trials', '1', f)).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(base, 'state', 'trials', '1', 'exit_code'), 'utf8')).toBe('4\n');
  });
});

describe('sandboxCommand', () => {
  it('quotes every path and the command for sh: odd names run as they are, nothing in them is executed', async () => {
    const odd = path.join(base, `it's a $(touch pwned) \`touch pwned\` dir`);
    const cwd = path.join(odd, 'work');
    const dir = path.join(odd, 'state', 'trials', '1');
    fs.mkdirSync(cwd, { recursive: true });
    fs.writeFileSync(path.join(cwd, "frozen 'f'"), 'x');
    const runner = new LocalRunner(1);
    const l = launch(`echo "in $(pwd)"; echo 'single '"'"'quoted'"'"; echo y > "frozen 'f'"`, { cwd, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir } });
    l.sandbox = { ...spec(), readOnly: ["frozen 'f'"], hidePaths: [path.join(odd, 'state')] };
    const t = await runner.start(l, runner.free()[0], () => {});
    const exit = await t.done;
    expect(exit.sandboxError).toBeUndefined();
    const log = fs.readFileSync(path.join(dir, 'output.log'), 'utf8').split('\n');
    expect(log[0]).toBe(`in ${cwd}`);
    expect(log[1]).toBe("single 'quoted'");
    expect(log[2]).toMatch(/Read-only file system/);
    expect(fs.readFileSync(path.join(cwd, "frozen 'f'"), 'utf8')).toBe('x');
    expect(fs.readdirSync(base).filter((f) => f.includes('pwned') && !f.startsWith('it'))).toEqual([]);
    expect(fs.existsSync(path.join(cwd, 'pwned')) || fs.existsSync(path.join(process.cwd(), 'pwned'))).toBe(false);
  });

  it('network: true keeps the network namespace', () => {
    const at = { cwd: '/w', trialDir: '/s/t', hide: [], readOnly: [] };
    expect(sandboxCommand('true', spec(), at)).toContain('--unshare-net');
    expect(sandboxCommand('true', { ...spec(), network: true }, at)).not.toContain('--unshare-net');
  });
});

describe('expandGlobs', () => {
  it('names a directory once (marked with /), files one by one, and follows ** through the tree', () => {
    const w = path.join(base, 'work');
    for (const f of ['eval/a.txt', 'eval/sub/b.txt', 'data/test/x.csv', 'data/train/y.csv', 'data/z.csv', 'top.csv', '.git/config']) {
      fs.mkdirSync(path.dirname(path.join(w, f)), { recursive: true });
      fs.writeFileSync(path.join(w, f), '1');
    }
    expect(expandGlobs(w, ['eval/**', 'data/test'], true)).toEqual([path.join(w, 'data/test') + '/', path.join(w, 'eval') + '/']);
    expect(expandGlobs(w, ['**/*.csv'], true)).toEqual(['data/test/x.csv', 'data/train/y.csv', 'data/z.csv', 'top.csv'].map((f) => path.join(w, f)));
    expect(expandGlobs(w, ['data/*'], false)).toEqual(['data/test', 'data/train', 'data/z.csv'].map((f) => path.join(w, f)));
    expect(expandGlobs(w, ['missing/**', 'nope.txt'], true)).toEqual([]);
  });
});
