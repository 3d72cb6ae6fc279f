// Trial output is untrusted (issue 7, item 9): escape sequences and binary bytes a trial prints
// reach neither the headless printer nor the engine's output tail (the TUI's detail view).
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { campaignDir, cli } from '../helpers.js';
import { openNew } from '../../src/session.js';
import { getTrial } from '../../src/state.js';

// Sets the window title, colours, clears the screen, rings, writes bytes that are not UTF-8, then
// fails with an escape-laden last line (which becomes the crash reason).
const HOSTILE_SH = String.raw`printf '\033]0;pwned\007\033[31mred\033[0m \377\376 step=1 loss=2\n'
printf '\033[2J\033[H boom \001\007\n'
exit 3
`;

const CAMPAIGN = `name: hostile
command: sh hostile.sh
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
budget: { trials: 1 }
`;

/** Control characters a terminal acts on (newline excepted: it separates printed lines). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('hostile trial output', () => {
  it('the headless printer shows the crash reason without escape sequences or control bytes', () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'hostile.sh': HOSTILE_SH });
    const r = cli(['run', 'campaign.yaml', '--headless'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('#1 crash    exit code 3: boom');
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('the engine hands out clean lines, live and from the log of a finished trial, and still reads colored metrics', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN, 'hostile.sh': HOSTILE_SH });
    const session = await openNew(path.join(dir, 'campaign.yaml'), {});
    const lines: string[][] = [];
    session.store.subscribe((e) => {
      if (e.type === 'trial.metric') lines.push(session.engine.tail(1));
    });
    await session.begin();
    session.release();
    const finished = session.engine.tail(1);
    expect(finished).toEqual(['red \uFFFD\uFFFD step=1 loss=2', ' boom ']);
    for (const l of [...lines.flat(), ...finished]) expect(l).not.toMatch(CONTROL);
    const t = getTrial(session.store.getState(), 1)!;
    expect(t.status).toBe('crash');
    expect(t.reason).toBe('exit code 3: boom');
    // The metric behind the colour codes was read.
    expect(t.last.loss).toBe(2);
  });
});
