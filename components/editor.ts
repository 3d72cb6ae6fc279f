// Editing a text in the operator's $EDITOR from the full-screen view. The editor gets the terminal
// to itself: the caller's `suspend` leaves the alternate screen and raw mode around it, and the
// editor runs synchronously, so nothing of ours reads a key or draws meanwhile. The engine stands
// still for that time too; trials keep running (their output goes to files) and are caught up on
// return, as after any other pause of the event loop.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Edited = { kind: 'changed'; text: string } | { kind: 'unchanged' } | { kind: 'failed'; message: string };

/** Runs `fn` with the terminal handed over (the full-screen view provides this; tests run it as is). */
export type Suspend = <T>(fn: () => T) => T;

export const runAsIs: Suspend = (fn) => fn();

/** The editor as the shell would name it: $VISUAL, then $EDITOR (either may carry arguments), then vi. */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

export function editText(text: string, fileName: string, suspend: Suspend = runAsIs, env: NodeJS.ProcessEnv = process.env): Edited {
  const editor = editorCommand(env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-edit-'));
  const file = path.join(dir, fileName);
  try {
    fs.writeFileSync(file, text);
    // Through the shell, as git runs it: EDITOR="code -w" or "vim -u NONE" carry arguments.
    const r = suspend(() => spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'nightshift-editor', file], { stdio: 'inherit', env }));
    if (r.error) return { kind: 'failed', message: `could not run the editor (${editor}): ${r.error.message}` };
    if (r.status !== 0) return { kind: 'failed', message: `the editor (${editor}) exited with ${r.status ?? r.signal}: nothing changed` };
    const after = fs.readFileSync(file, 'utf8');
    return after === text ? { kind: 'unchanged' } : { kind: 'changed', text: after };
  } catch (err) {
    return { kind: 'failed', message: `editing failed: ${(err as Error).message}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
