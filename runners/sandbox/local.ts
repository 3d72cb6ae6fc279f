// The local runner's side of the sandbox: expands the spec's globs against the trial's cwd on this
// machine (sandboxCommand itself touches no files, so an SSH host can do its own expansion), and
// reads back whether the sandbox started.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globToRegExp } from '../../src/workspace/glob.js';
import type { ExitInfo, TrialLaunch } from '../../src/runner.js';
import { mayBeSandboxFailure, SANDBOX_STATUS, sandboxCommand, sandboxFailure } from './wrap.js';

/** Never descended into when matching (a worktree's .git is git's, not the trial's data). */
const SKIP = new Set(['.git']);

const WILD = /[*?{]/;

/**
 * The absolute paths under root that `globs` name. A directory matched as a whole (or named by
 * `dir/**`) is one entry, marked with a trailing `/` when `markDirs`; files are listed one by one.
 * Symlinks are followed for the file/directory test: hiding a link hides what it points at.
 */
export function expandGlobs(root: string, globs: string[], markDirs: boolean): string[] {
  const out = new Set<string>();
  const add = (abs: string, isDir: boolean) => out.add(isDir && markDirs ? abs + '/' : abs);
  const kind = (abs: string): 'dir' | 'file' | null => {
    try {
      return fs.statSync(abs).isDirectory() ? 'dir' : 'file';
    } catch {
      return null;
    }
  };
  const patterns: RegExp[] = [];
  for (const raw of globs) {
    const g = raw.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    const literal = g.replace(/\/\*\*$/, '');
    if (!WILD.test(literal)) {
      // `eval`, `eval/**`, `data/test.csv`: one path, no walk.
      const abs = path.join(root, literal);
      const k = kind(abs);
      if (k) add(abs, k === 'dir');
      continue;
    }
    patterns.push(globToRegExp(g));
  }
  if (patterns.length) {
    const walk = (rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = rel === '' ? e.name : `${rel}/${e.name}`;
        const abs = path.join(root, p);
        const k = e.isSymbolicLink() ? kind(abs) : e.isDirectory() ? 'dir' : 'file';
        if (!k) continue;
        if (patterns.some((re) => re.test(p))) add(abs, k === 'dir');
        else if (k === 'dir' && !e.isSymbolicLink() && !SKIP.has(e.name)) walk(p);
      }
    };
    walk('');
  }
  // A path inside a directory already listed is covered by it.
  const dirs = [...out].filter((p) => p.endsWith('/') || kind(p) === 'dir').map((p) => p.replace(/\/$/, ''));
  return [...out].filter((p) => !dirs.some((d) => p.replace(/\/$/, '') !== d && p.startsWith(d + '/'))).sort();
}

/** The trial's command wrapped in its sandbox, with the globs expanded here. */
export function localSandboxCommand(launch: TrialLaunch): string {
  const spec = launch.sandbox!;
  return sandboxCommand(launch.command, spec, {
    cwd: launch.cwd,
    trialDir: launch.dir,
    hide: expandGlobs(launch.cwd, spec.hide, true),
    readOnly: expandGlobs(launch.cwd, spec.readOnly, false),
  });
}

/** The last few KB of output.log as lines (the sandbox's own error is the last thing there). */
export function lastLines(dir: string): string[] {
  try {
    const fd = fs.openSync(path.join(dir, 'output.log'), 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 4096);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8').split('\n').filter(Boolean);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
}

/**
 * The exit with `sandboxError` set when the trial was sandboxed and the sandbox never started:
 * bwrap missing (127), its set-up failing (1), the supervisor files not creatable (125). A trial
 * that ran reports its own exit, whatever it printed.
 */
export function withSandboxFailure(dir: string, info: ExitInfo): ExitInfo {
  if (!mayBeSandboxFailure(info.code)) return info;
  let status: string;
  try {
    status = fs.readFileSync(path.join(dir, SANDBOX_STATUS), 'utf8');
  } catch {
    return info; // not a sandboxed trial
  }
  const why = sandboxFailure(status, lastLines(dir));
  return why ? { ...info, sandboxError: why } : info;
}
