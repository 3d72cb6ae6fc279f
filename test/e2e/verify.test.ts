// `nightshift verify` and the journal's hash chain, through the real CLI on real files: a journal
// line edited, deleted or moved is named with its line number; a changed frozen file is named;
// `report` will not call the winner verified then; a torn last line and `resume` keep the chain.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { campaignDir, cli, events, ROOT } from '../helpers.js';
import { lineHash } from '../../src/chain.js';

const CAMPAIGN = `name: chained
command: echo loss={x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: random
seed: 5
frozen: [evaluate.py]
budget: { trials: 4 }
`;

let base: string;

/** A copy of the finished campaign (its directory with the state in out/), to tamper with. */
function copy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-verify-'));
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

const journalOf = (dir: string) => path.join(dir, 'out', 'journal.jsonl');
const linesOf = (dir: string) => fs.readFileSync(journalOf(dir), 'utf8').split('\n').slice(0, -1);
const write = (dir: string, lines: string[]) => fs.writeFileSync(journalOf(dir), lines.map((l) => l + '\n').join(''));
const verify = (dir: string) => cli(['verify', 'campaign.yaml', '--out', 'out'], dir);

beforeAll(() => {
  base = campaignDir({ 'campaign.yaml': CAMPAIGN, 'evaluate.py': 'print("the frozen evaluator")\n' });
  const run = cli(['run', 'campaign.yaml', '--headless', '--out', 'out'], base);
  expect(run.code).toBe(0);
});

describe('nightshift verify', () => {
  it('takes the journal itself as well as the campaign file, and names a hand-edited line either way', () => {
    const dir = copy();
    const byJournal = cli(['verify', journalOf(dir)], os.tmpdir());
    expect(byJournal.code).toBe(0);
    expect(byJournal.stdout).toMatch(/^verified: \d+ events, chain intact, 1 frozen file matches\n/);
    const lines = linesOf(dir);
    lines[2] = lines[2].replace('"seq":3', '"seq":3,"x":1');
    write(dir, lines);
    const edited = cli(['verify', journalOf(dir)], os.tmpdir());
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/line 3/);
  });

  it('passes an untouched campaign (exit 0) and report calls the winner verified', () => {
    const dir = copy();
    const n = linesOf(dir).length;
    const r = verify(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^verified: ${n} events, chain intact, 1 frozen file matches\\n`));
    // Every line names its predecessor's hash; the first names the genesis.
    const lines = linesOf(dir);
    for (let i = 1; i < lines.length; i++) expect(JSON.parse(lines[i]).prev).toBe(lineHash(lines[i - 1]));
    const report = cli(['report', 'campaign.yaml', '--out', 'out'], dir);
    expect(report.stdout).toMatch(/^ {2}verified: hash chain intact, frozen files match$/m);
    expect(report.stdout).toMatch(/^scored under: frozen set [0-9a-f]{12}, evaluator [0-9a-f]{12} \(all 4 scored trials, \d+ kept\)$/m);
    expect(JSON.parse(cli(['report', 'campaign.yaml', '--out', 'out', '--json'], dir).stdout).verified).toBe(true);
    // export carries the hashes each trial was scored under.
    const rows = cli(['export', 'campaign.yaml', '--out', 'out'], dir).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBe(4);
    for (const row of rows) expect(row).toMatchObject({ frozen_hash: rows[0].frozen_hash, evaluator_hash: rows[0].evaluator_hash });
    expect(rows[0].frozen_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].evaluator_hash).toMatch(/^[0-9a-f]{64}$/);
    const csv = cli(['export', 'campaign.yaml', '--out', 'out', '--format', 'csv'], dir).stdout.split('\n');
    const head = csv[0].split(',');
    expect(csv[1].split(',')[head.indexOf('frozen_hash')]).toBe(rows[0].frozen_hash);
  });

  it('names the line whose score was edited by hand, and report refuses to call the winner verified', () => {
    const dir = copy();
    const lines = linesOf(dir);
    const i = lines.findIndex((l) => l.includes('"type":"trial.decided"'));
    const seq = JSON.parse(lines[i]).seq;
    lines[i] = lines[i].replace(/"score":[-0-9.e]+/, '"score":0.000001');
    expect(lines[i]).toContain('"score":0.000001');
    write(dir, lines);
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NOT verified: 1 problem /);
    expect(r.stdout).toMatch(new RegExp(`Line ${i + 2} \\(seq ${seq + 1}, [a-z.]+\\) breaks the hash chain`));
    expect(r.stdout).toContain(`Line ${i + 1} (seq ${seq}, trial.decided) was changed after it was written.`);
    expect(r.stdout).toContain(`expected ${lineHash(lines[i])} (the hash of line ${i + 1})`);
    const report = cli(['report', 'campaign.yaml', '--out', 'out'], dir);
    expect(report.code).toBe(0);
    expect(report.stdout).not.toMatch(/^ {2}verified:/m);
    expect(report.stdout).toContain(`not verified: the journal's hash chain breaks at line ${i + 2}`);
    const json = JSON.parse(cli(['report', 'campaign.yaml', '--out', 'out', '--json'], dir).stdout);
    expect(json.verified).toBe(false);
    expect(json.not_verified_why).toMatch(/hash chain breaks/);
  });

  it('catches a deleted line and a swapped pair', () => {
    const deleted = copy();
    const lines = linesOf(deleted);
    const seq = JSON.parse(lines[5]).seq;
    write(deleted, [...lines.slice(0, 5), ...lines.slice(6)]);
    const d = verify(deleted);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`Line 6 (seq ${seq + 1}, `);
    expect(d.stdout).toContain(`The seq jumps from ${seq - 1} to ${seq + 1}: 1 line(s) were deleted before line 6.`);

    const swapped = copy();
    const s = linesOf(swapped);
    [s[6], s[7]] = [s[7], s[6]];
    write(swapped, s);
    const w = verify(swapped);
    expect(w.code).toBe(1);
    expect(w.stdout).toMatch(/Line 7 \(seq \d+, [a-z.]+\) breaks the hash chain: .* It names line 8 \(seq \d+, [a-z.]+\), which comes after it, as its predecessor: lines were reordered\./);
  });

  it('names an edited frozen file, and report does not call the winner verified', () => {
    const dir = copy();
    fs.appendFileSync(path.join(dir, 'evaluate.py'), 'print("a much better score")\n');
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Frozen file evaluate\.py changed since the campaign started: its sha256 is [0-9a-f]{64}, the campaign recorded [0-9a-f]{64}\./);
    expect(r.stdout).toContain('chain intact');
    const report = cli(['report', 'campaign.yaml', '--out', 'out'], dir);
    expect(report.stdout).toContain('not verified: 1 frozen file(s) changed since the campaign started');
  });

  it('exits 2 on usage errors, never with a stack trace', () => {
    const dir = copy();
    const noArg = cli(['verify'], dir);
    expect(noArg.code).toBe(2);
    const noJournal = cli(['verify', 'campaign.yaml', '--out', 'elsewhere'], dir);
    expect(noJournal.code).toBe(2);
    expect(noJournal.stderr).toMatch(/^nightshift: No journal at .*elsewhere/);
    const noFile = cli(['verify', 'nope.yaml'], dir);
    expect(noFile.code).toBe(2);
    for (const r of [noArg, noJournal, noFile]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('treats a torn last line as a crash, not tampering; resume continues the chain from the last whole line', () => {
    const dir = copy();
    const whole = linesOf(dir);
    fs.appendFileSync(journalOf(dir), '{"v":3,"seq":999,"t":1,"prev":"00');
    const torn = verify(dir);
    expect(torn.code).toBe(0);
    expect(torn.stdout).toContain("the journal's last line is torn");
    const resumed = cli(['resume', 'campaign.yaml', '--headless', '--out', 'out', '--max-trials', '6'], dir);
    expect(resumed.code).toBe(0);
    const after = linesOf(dir);
    expect(after.slice(0, whole.length)).toEqual(whole);
    expect(JSON.parse(after[whole.length]).type).toBe('campaign.resumed');
    expect(JSON.parse(after[whole.length]).prev).toBe(lineHash(whole[whole.length - 1]));
    const r = verify(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^verified: ${after.length} events, chain intact, `));
  });
});

describe('a version-2 journal (no hash chain)', () => {
  it('replays, is "not chained" rather than broken, and a resume chains on from its last line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-v2-'));
    fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'journal-v2'), dir, { recursive: true });
    const old = events(path.join(dir, 'out'));
    expect(old.every((e) => e.v === 2 && e.prev === undefined)).toBe(true);
    const r = verify(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`verified: ${old.length} events, not chained (written by an older version of nightshift), 1 frozen file matches\n`);
    const report = cli(['report', 'campaign.yaml', '--out', 'out'], dir);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('trials: 3 (');
    expect(report.stdout).toContain('not verified: the journal was written by an older nightshift and is not hash-chained');

    const resumed = cli(['resume', 'campaign.yaml', '--headless', '--out', 'out', '--max-trials', '4'], dir);
    expect(resumed.code).toBe(0);
    const after = verify(dir);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`chain intact from line ${old.length + 1} on (the first ${old.length} lines are not chained`);
  });
});
