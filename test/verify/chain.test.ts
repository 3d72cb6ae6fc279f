// checkChain on journals written by the real Journal, then altered in memory: an inserted line, a
// `prev` stripped to pass a line off as older, the first line removed, a blank line (harmless).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../src/journal.js';
import { checkChain } from '../../src/verify/chain.js';

function journalLines(n: number): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-chain-')), 'journal.jsonl');
  const j = Journal.create(file, () => 1000);
  for (let i = 0; i < n; i++) j.append({ type: 'operator.note', text: `note ${i}` });
  j.close();
  return fs.readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

const check = (lines: string[]) => checkChain(Buffer.from(lines.map((l) => l + '\n').join('')));

describe('checkChain', () => {
  it('accepts what the Journal wrote, blank lines included', () => {
    const lines = journalLines(5);
    expect(check(lines)).toMatchObject({ status: 'intact', lines: 5, problems: [] });
    expect(check([...lines.slice(0, 2), '', ...lines.slice(2)]).status).toBe('intact');
  });

  it('names an inserted line', () => {
    const lines = journalLines(5);
    const forged = JSON.stringify({ ...JSON.parse(lines[2]), text: 'forged' });
    const r = check([...lines.slice(0, 3), forged, ...lines.slice(3)]);
    expect(r.status).toBe('broken');
    expect(r.problems.join('\n')).toMatch(/Line 5 \(seq 4, operator\.note\) breaks the hash chain: .* It follows line 3 \(seq 3, operator\.note\) in the chain: line 4 was inserted or moved here\./);
  });

  it('does not take a version-3 line without prev for an old one, nor a missing first line for a fresh start', () => {
    const lines = journalLines(4);
    const { prev: _prev, ...stripped } = JSON.parse(lines[3]);
    const r = check([...lines.slice(0, 3), JSON.stringify(stripped)]);
    expect(r.status).toBe('broken');
    expect(r.problems[0]).toMatch(/^Line 4 \(seq 4, operator\.note\) carries no prev .* follows chained lines/);
    const headless = check(lines.slice(1));
    expect(headless.status).toBe('broken');
    expect(headless.problems[0]).toMatch(/^Line 1 \(seq 2, operator\.note\) breaks the hash chain: .*the genesis string/);
  });

  it('keeps the chain when a body copied from a replayed event still carries its old prev', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-chain-')), 'journal.jsonl');
    const j = Journal.create(file, () => 1000);
    const first = j.append({ type: 'operator.note', text: 'a' });
    j.append({ ...first, text: 'copied' } as unknown as Parameters<Journal['append']>[0]);
    j.close();
    expect(checkChain(fs.readFileSync(file)).status).toBe('intact');
  });
});
