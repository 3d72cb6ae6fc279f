// One helper over ink-testing-library: fixed size, act(), press(command), waitForFrame.
import React from 'react';
import { act } from 'react';
import { render } from 'ink-testing-library';
import { App, type Controls, type QuitChoice } from '../../components/App.js';
import { KEY_BYTES, type CommandId } from '../../components/keymap.js';
import { ThrottledSnapshots } from '../../components/use-campaign.js';
import type { PrunerSettings } from '../../src/engine/pruner.js';
import type { Store } from '../../src/store.js';
import { waitFor } from '../helpers.js';

// React 19 wants this flag to route updates through act() quietly.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

export interface Rendered {
  frame(): string;
  press(cmd: CommandId): Promise<void>;
  type(text: string): Promise<void>;
  waitForFrame(pred: (frame: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  quits: QuitChoice[];
  unmount(): void;
}

/** The quickstart's pruner. */
export const PRUNER: PrunerSettings = { warmup_steps: 5, min_trials: 3, interval_steps: 1 };

export function renderApp(
  store: Store,
  engine: Controls,
  size: { columns: number; rows: number },
  opts: { pruner?: PrunerSettings | null; name?: string } = {},
): Rendered {
  const source = new ThrottledSnapshots(store, 20);
  const quits: QuitChoice[] = [];
  const r = render(<App source={source} engine={engine} pruner={opts.pruner === undefined ? PRUNER : opts.pruner} name={opts.name} onQuit={(c) => quits.push(c)} columns={size.columns} rows={size.rows} />);
  const write = async (bytes: string) => {
    await act(async () => {
      r.stdin.write(bytes);
      // Let ink's input parser and React settle.
      await new Promise((res) => setTimeout(res, 30));
    });
  };
  return {
    frame: () => r.lastFrame() ?? '',
    press: (cmd) => write(KEY_BYTES[cmd]),
    type: (text) => write(text),
    waitForFrame: (pred, what, timeoutMs = 15_000) => waitFor(() => (pred(r.lastFrame() ?? '') ? r.lastFrame() ?? ' ' : undefined), timeoutMs, what),
    quits,
    unmount: () => {
      r.unmount();
      source.dispose();
    },
  };
}
