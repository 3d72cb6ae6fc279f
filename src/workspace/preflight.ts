// Cheap checks before a code trial spends a slot: the changed files still parse, and the change
// is not one an earlier trial already tried (compared with whitespace normalised).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type PreflightResult = { ok: true } | { ok: false; reason: string };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: 60_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : 1) : 0,
        out: `${stdout}${stderr}`.trim(),
        missing: e?.code === 'ENOENT',
      });
    });
  });
}

/** `python3 -m py_compile` on the changed .py files; other languages pass unchecked. */
export async function preflight(dir: string, files: readonly string[]): Promise<PreflightResult> {
  const py = files.filter((f) => f.endsWith('.py'));
  if (py.length === 0) return { ok: true };
  // Byte code goes to a scratch directory so the trial's tree gains no __pycache__.
  const cache = await mkdtemp(path.join(tmpdir(), 'nightshift-pyc-'));
  try {
    for (const f of py) {
      const exists = await readFile(path.join(dir, f)).then(() => true, () => false);
      if (!exists) continue; // deleted by the edit
      const r = await run('python3', ['-m', 'py_compile', f], dir, { ...process.env, PYTHONPYCACHEPREFIX: cache });
      if (r.missing) return { ok: false, reason: 'pre-flight needs python3 on PATH to check the edited .py files, and it was not found.' };
      if (r.code !== 0) {
        // The compiler's own message, minus the traceback frames of py_compile itself.
        const msg = r.out.split('\n').filter((l) => !/^\s*(Traceback|File ".*py_compile|File "<frozen)/.test(l)).join('\n').trim();
        return { ok: false, reason: `${f} no longer compiles after the edit:\n${msg || r.out}` };
      }
    }
    return { ok: true };
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

/**
 * Whitespace-insensitive text: blank lines dropped, trailing blanks trimmed, runs of blanks inside
 * a line squashed. Leading indentation is kept (tabs as four spaces) because in Python it is
 * meaning: moving a line out of a loop is a different experiment, not a duplicate.
 */
export function normaliseText(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => {
      const indent = /^[ \t]*/.exec(l)![0].replace(/\t/g, '    ');
      return indent + l.trim().replace(/\s+/g, ' ');
    })
    .filter((l) => l.trim() !== '')
    .filter((l) => l !== '')
    .join('\n');
}

/** A digest of the named files' contents with whitespace normalised; equal digests = same change. */
export async function normalisedDigest(dir: string, files: readonly string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of [...new Set(files)].sort()) {
    const text = await readFile(path.join(dir, f), 'utf8').catch(() => null);
    h.update(f).update('\0').update(text === null ? '\u0001missing' : normaliseText(text)).update('\0');
  }
  return h.digest('hex');
}
