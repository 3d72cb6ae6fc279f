// The exit status file is written by the trial's wrapper with one shell redirection (no `mv`, which
// cost a process per trial): a reader must tell a file still being written from a finished one.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readExitFile } from '../../runners/local.js';

function dirWith(content: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-exit-'));
  if (content !== null) fs.writeFileSync(path.join(dir, 'exit_code'), content);
  return dir;
}

describe('readExitFile', () => {
  it('reads a complete status line', () => {
    expect(readExitFile(dirWith('0\n'))).toEqual({ code: 0, signal: null });
    expect(readExitFile(dirWith('137\n'))).toEqual({ code: 137, signal: null });
  });

  it('does not read a file the wrapper has created but not yet written as exit code 0', () => {
    expect(readExitFile(dirWith(''))).toBeNull();
    expect(readExitFile(dirWith('13'))).toBeNull(); // no newline yet: maybe 130 is coming
    expect(readExitFile(dirWith(null))).toBeNull();
  });
});
