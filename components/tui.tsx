// The full-screen entry: alternate screen on a TTY, one cleanup path for every way out
// (q, Ctrl-C, SIGTERM, SIGHUP, an uncaught error), and the mapping from the operator's choice to
// what happens to running trials.
import React from 'react';
import { render } from 'ink';
import type { Session } from '../src/session.js';
import type { Outcome } from '../src/engine/engine.js';
import { App, type QuitChoice } from './App.js';
import { ThrottledSnapshots } from './use-campaign.js';
import type { Suspend } from './editor.js';

const ENTER_ALT = '\u001B[?1049h\u001B[H';
const LEAVE_ALT = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';
const HIDE_CURSOR = '\u001B[?25l';
/** Frames per second at most: smooth enough to read, cheap enough to leave running all night. */
const MAX_FPS = 12;

export interface TuiResult {
  outcome: Outcome | null;
  choice: QuitChoice | 'signal' | 'error';
  error?: string;
}

export async function runTui(session: Session): Promise<TuiResult> {
  const out = process.stdout;
  const tty = Boolean(out.isTTY);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      instance.unmount();
    } catch {
      // Already unmounted.
    }
    if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
    if (tty) out.write(LEAVE_ALT + SHOW_CURSOR);
  };
  if (tty) out.write(ENTER_ALT);

  // $EDITOR gets the terminal as a shell would hand it over: the normal screen, cooked mode, a
  // cursor. It runs synchronously (editor.ts), so ink neither reads keys nor draws meanwhile; the
  // App asks ink to redraw the whole frame when it is back.
  const suspend: Suspend = (fn) => {
    const raw = Boolean(process.stdin.isTTY && process.stdin.isRaw);
    if (raw) process.stdin.setRawMode(false);
    if (tty) out.write(LEAVE_ALT + SHOW_CURSOR);
    try {
      return fn();
    } finally {
      if (tty) out.write(ENTER_ALT + HIDE_CURSOR);
      if (raw) process.stdin.setRawMode(true);
    }
  };

  const source = new ThrottledSnapshots(session.store);
  let settle!: (r: TuiResult) => void;
  const done = new Promise<TuiResult>((resolve) => (settle = resolve));
  let outcome: Outcome | null = null;
  let quitting = false;

  const quit = async (choice: QuitChoice | 'signal' | 'error', how: 'stop' | 'leave' | 'none', error?: string) => {
    if (quitting) {
      // A second Ctrl-C / signal while stopping: kill now.
      if (how === 'stop') void session.engine.interrupt(true);
      return;
    }
    quitting = true;
    if (how === 'stop' && !outcome) outcome = await session.engine.interrupt(false);
    else if (how === 'leave' && !outcome) outcome = await session.engine.detach();
    source.dispose();
    restore();
    settle({ outcome, choice, error });
  };

  const onQuit = (choice: QuitChoice) => void quit(choice, choice === 'leave' ? 'leave' : choice === 'stop' ? 'stop' : 'none');
  const pruner = session.config.pruner.type === 'median' ? session.config.pruner : null;
  const instance = render(<App source={source} engine={session.engine} pruner={pruner} name={session.config.name} onQuit={onQuit} suspend={suspend} />, {
    exitOnCtrlC: false,
    maxFps: MAX_FPS,
    patchConsole: true,
  });

  // Signals: SIGTERM stops trials cooperatively; SIGHUP (the terminal went away) leaves them
  // running so `resume` re-attaches; SIGINT from outside behaves like Ctrl-C.
  const onTerm = () => void quit('signal', 'stop');
  const onHup = () => void quit('signal', 'leave');
  const onCrash = (err: unknown) => {
    session.engine.fail(err);
    void quit('error', 'none', (err as Error)?.message ?? String(err));
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGHUP', onHup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', restore);

  void session.begin().then((o) => {
    outcome = o;
    // An internal failure ends the view; a finished campaign stays on screen until q.
    if (o.kind === 'failed') void quit('error', 'none', o.error);
  });
  const result = await done;
  for (const [sig, fn] of [['SIGTERM', onTerm], ['SIGINT', onTerm], ['SIGHUP', onHup]] as const) process.off(sig, fn);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  return result;
}
