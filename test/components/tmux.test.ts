// End to end in a real tmux: start `nightshift run` in a 120x40 pane, read the screen, press keys,
// quit, and check the shell's screen comes back.
import { describe, expect, it, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, stateOf, waitFor } from '../helpers.js';
import { statusGlyph } from '../../src/format/status.js';

const RUNNING = `${statusGlyph('running').glyph} running`;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `nightshift-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}
const screen = () => tmux('capture-pane', '-p', '-t', 't');

describe.skipIf(!hasTmux)('the TUI in a real tmux', () => {
  afterAll(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  });

  it('shows the live campaign, obeys keys, and restores the shell screen on quit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-tmux-'));
    fs.cpSync(path.join(ROOT, 'samples', 'quickstart'), dir, { recursive: true, filter: (src) => !src.includes('.nightshift') });
    // Slow the trials down so the campaign is still running while we press keys.
    const yaml = fs.readFileSync(path.join(dir, 'campaign.yaml'), 'utf8').replace(/^command: (.*)$/m, 'command: $1 --step-seconds 0.25');
    fs.writeFileSync(path.join(dir, 'campaign.yaml'), yaml);
    const conf = path.join(dir, 'tmux.conf');
    fs.writeFileSync(conf, 'set -g remain-on-exit on\nset -g status off\n');
    tmux('-f', conf, 'new-session', '-d', '-s', 't', '-x', '120', '-y', '40', '-e', 'CI=', `env -u CI bash --norc --noprofile`);
    tmux('send-keys', '-t', 't', `cd ${dir} && echo SHELL-MARKER`, 'Enter');
    await waitFor(() => screen().includes('SHELL-MARKER'), 5000, 'the shell');
    tmux('send-keys', '-t', 't', `node ${BIN} run campaign.yaml`, 'Enter');
    const out = path.join(dir, '.nightshift', 'quickstart');

    // The header, the table, the curves and the budget are on screen.
    await waitFor(() => /nightshift quickstart\s+RUNNING/.test(screen()) && screen().includes(RUNNING), 15_000, 'the running TUI');
    let text = screen();
    expect(text).not.toContain('SHELL-MARKER'); // alternate screen
    expect(text).toMatch(/id\s+status/);
    expect(text).toContain('loss vs step');
    expect(text).toMatch(/trials/);
    expect(text).toContain('next up');
    expect(text.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(40);

    // Help overlay from the key map.
    tmux('send-keys', '-t', 't', '?');
    await waitFor(() => screen().includes('Steer the campaign'), 5000, 'help');
    expect(screen()).toContain('pause / resume dispatch');
    tmux('send-keys', '-t', 't', 'Escape');
    await waitFor(() => !screen().includes('Steer the campaign'), 5000, 'help closed');

    // Pause: header says PAUSED and nothing new starts.
    tmux('send-keys', '-t', 't', 'p');
    await waitFor(() => screen().includes('PAUSED'), 5000, 'PAUSED');
    const startedAtPause = stateOf(out).counted;
    await waitFor(() => stateOf(out).running.length === 0, 20_000, 'running trials to finish');
    await new Promise((r) => setTimeout(r, 800));
    expect(stateOf(out).counted).toBe(startedAtPause);
    tmux('send-keys', '-t', 't', 'p');
    await waitFor(() => /RUNNING/.test(screen()) && stateOf(out).counted > startedAtPause, 10_000, 'dispatch resumed');

    // Quit with trials running: choose "stop them".
    await waitFor(() => stateOf(out).running.length > 0, 10_000, 'a running trial');
    tmux('send-keys', '-t', 't', 'q');
    await waitFor(() => screen().includes('[s] stop them'), 5000, 'the quit dialog');
    tmux('send-keys', '-t', 't', 's');
    await waitFor(() => screen().includes('SHELL-MARKER'), 15_000, 'the shell screen back');
    text = screen();
    expect(text).toContain('nightshift resume');
    expect(text).not.toMatch(/id\s+status/);
    const s = stateOf(out);
    expect(s.operator_log.map((o) => o.type)).toEqual(expect.arrayContaining(['operator.pause', 'operator.resume', 'operator.quit']));
    // The shell is usable again.
    tmux('send-keys', '-t', 't', 'echo EXIT=$?', 'Enter');
    await waitFor(() => screen().includes('EXIT=130'), 5000, 'exit code 130');
  });
});
