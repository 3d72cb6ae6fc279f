// The headless printer's lines for the operator's notes and rejections, the hybrid's question, and hosts.
import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../src/headless.js';
import { fold, initialState } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { T0, campaignEvents } from '../components/fixture.js';

/** The printed lines of `extra`, after the fixture campaign. */
function printed(extra: EventBody[]): string[] {
  let s = initialState();
  const all = [...campaignEvents(), ...extra];
  const out: string[] = [];
  all.forEach((b, i) => {
    const e = { v: 1, seq: i + 1, t: T0 + i * 1000, ...b } as NightshiftEvent;
    s = fold(s, e);
    if (i >= all.length - extra.length) out.push(formatEvent(e, s) ?? '(nothing)');
  });
  return out;
}

describe('headless lines', () => {
  it('prints the operator note, the reject note and the review mode', () => {
    const [note, reject, review] = printed([
      { type: 'operator.note', text: 'never touch the optimizer' },
      { type: 'operator.reject', id: 9, reason: 'too big a change' },
      { type: 'operator.review', mode: 'manual' },
    ]);
    expect(note).toMatch(/operator: note: never touch the optimizer$/);
    expect(reject).toMatch(/operator: rejected #9 — too big a change$/);
    expect(review).toMatch(/operator: code proposals now wait for approval$/);
  });

  it('prints the hybrid question with its reason and what answers it', () => {
    const [ask] = printed([{ type: 'proposer.ask', reason: 'params stalled for 15 trials and code failed 3 times' }]);
    expect(ask).toMatch(/paused, asking the operator: params stalled for 15 trials and code failed 3 times\. Switch side \(S\) or resume \(p\) in the TUI/);
  });

  it('says when a remote host goes down, loses its connection, and comes back; the local machine is not news', () => {
    const [local, up, lost, back, down] = printed([
      { type: 'host.up', host: 'laptop', reason: 'local machine, 2 slots', slots: 2 },
      { type: 'host.up', host: 'gpu1', reason: 'ml@10.0.0.1:22, 4 slots', slots: 4, remote: true },
      { type: 'host.down', host: 'gpu1', reason: 'gpu1 stopped answering', slots: 4, remote: true, reconnecting: true },
      { type: 'host.up', host: 'gpu1', reason: 'ml@10.0.0.1:22, 4 slots', slots: 4, remote: true },
      { type: 'host.down', host: 'gpu2', reason: 'login refused for ml@10.0.0.2', slots: 2, remote: true },
    ]);
    expect(local).toBe('(nothing)');
    expect(up).toMatch(/host gpu1 up: ml@10\.0\.0\.1:22, 4 slots$/);
    expect(lost).toMatch(/host gpu1 lost its connection, reconnecting: gpu1 stopped answering$/);
    expect(back).toMatch(/host gpu1 up: /);
    expect(down).toMatch(/host gpu2 down: login refused for ml@10\.0\.0\.2$/);
  });
});
