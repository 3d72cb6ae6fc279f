// The hosts line and host/slot per trial: what host.up / host.down fold into, and the screen at
// 140×45 and 80×24 with three remote hosts (up, reconnecting, down) and trials running on them.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store.js';
import { hostRows } from '../../src/state.js';
import type { EventBody } from '../../src/events.js';
import { hostsLineRuns } from '../../components/HostsLine.js';
import { build, campaignEvents, fp, idleControls } from './fixture.js';
import { renderApp, type Rendered } from './render.js';

let ui: Rendered | null = null;
afterEach(() => {
  ui?.unmount();
  ui = null;
});

const start = campaignEvents()[0];

/** Three SSH hosts: gpu1 up (2 of 4 busy), gpu2 lost its connection (1 of 2 still running), gpu3 refused. */
function remoteCampaign(): EventBody[] {
  const b: EventBody[] = [start];
  b.push({ type: 'host.up', host: 'gpu1', reason: 'ml@10.0.0.1:22', slots: 4, remote: true });
  b.push({ type: 'host.up', host: 'gpu2', reason: 'ml@10.0.0.2:22', slots: 2, remote: true });
  b.push({ type: 'host.down', host: 'gpu3', reason: 'login refused for ml@10.0.0.3', slots: 2, remote: true });
  const at: Array<[string, number]> = [['gpu1', 0], ['gpu1', 1], ['gpu2', 4]];
  at.forEach(([host, slot], i) => {
    const id = i + 1;
    b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.01 * id } } });
    b.push({ type: 'trial.started', id, slot, host: `${host}:${slot}`, locator: { runner: 'ssh', host, pid: 100 + id, dir: `/w/c/${id}` }, fingerprint: fp });
  });
  b.push({ type: 'host.down', host: 'gpu2', reason: 'gpu2 stopped answering (no reply to 3 keepalives in 3 s)', slots: 2, remote: true, reconnecting: true });
  return b;
}

describe('host state', () => {
  it('keeps each host’s latest status in first-report order and counts running trials as busy slots', () => {
    const rows = hostRows(build(remoteCampaign()));
    expect(rows.map((h) => [h.name, h.status, h.busy, h.slots])).toEqual([
      ['gpu1', 'up', 2, 4],
      ['gpu2', 'reconnecting', 1, 2],
      ['gpu3', 'down', 0, 2],
    ]);
    // Back up: up again, the reason replaced.
    const back = hostRows(build([...remoteCampaign(), { type: 'host.up', host: 'gpu2', reason: 'back', slots: 2, remote: true }]));
    expect(back[1]).toMatchObject({ name: 'gpu2', status: 'up', reason: 'back' });
  });

  it('shows no hosts line for a local-only campaign (the local runner’s own host.up)', () => {
    expect(hostRows(build([start, { type: 'host.up', host: 'laptop', reason: 'local machine, 2 slots', slots: 2 }]))).toEqual([]);
  });

  it('a host.down from an older journal (no slots, no flags) reads as down, keeping what it knew', () => {
    const rows = hostRows(build([...remoteCampaign(), { type: 'host.down', host: 'gpu1', reason: 'old writer' } as EventBody]));
    expect(rows[0]).toMatchObject({ status: 'down', slots: 4, remote: true });
  });
});

describe('the hosts line on screen', () => {
  const text = (runs: { text: string }[]) => runs.map((r) => r.text).join('');

  it('at 140×45: every host with its state and busy/total; the table shows host:slot per trial', () => {
    ui = renderApp(new Store(build(remoteCampaign())), idleControls(), { columns: 140, rows: 45 });
    const lines = ui.frame().split('\n');
    const hostsLine = lines.find((l) => l.startsWith('hosts'));
    expect(hostsLine).toBe('hosts  gpu1 up 2/4  gpu2 reconnecting 1/2  gpu3 down 0/2');
    expect(lines.some((l) => /#1 .*gpu1:0/.test(l))).toBe(true);
    expect(lines.some((l) => /#3 .*gpu2:4/.test(l))).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(140);
    expect(lines.length).toBeLessThanOrEqual(45);
  });

  it('at 80×24: still every host and the host column', () => {
    ui = renderApp(new Store(build(remoteCampaign())), idleControls(), { columns: 80, rows: 24 });
    const lines = ui.frame().split('\n');
    expect(lines.find((l) => l.startsWith('hosts'))).toBe('hosts  gpu1 up 2/4  gpu2 reconnecting 1/2  gpu3 down 0/2');
    expect(lines.some((l) => /#2 .*gpu1:1/.test(l))).toBe(true);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines.length).toBeLessThanOrEqual(24);
  });

  it('many hosts on a narrow screen: glyphs, then counts with the hosts that are not up by name', () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ name: `gpu${i + 1}`, status: i === 5 ? ('down' as const) : ('up' as const), reason: '', slots: 8, remote: true, busy: i === 5 ? 0 : 8 }));
    const compact = text(hostsLineRuns(rows, 100, true));
    expect(compact).toBe('hosts gpu1+8/8 gpu2+8/8 gpu3+8/8 gpu4+8/8 gpu5+8/8 gpu6x0/8 gpu7+8/8 gpu8+8/8');
    const counted = text(hostsLineRuns(rows, 60, true));
    expect(counted).toBe('hosts 8: 7 up 1 down, 56/64 busy  gpu6x');
    expect(counted.length).toBeLessThanOrEqual(60);
  });

  it('a local-only campaign has no hosts line', () => {
    ui = renderApp(new Store(build(campaignEvents())), idleControls(), { columns: 140, rows: 45 });
    expect(ui.frame().split('\n').some((l) => l.startsWith('hosts'))).toBe(false);
  });
});
