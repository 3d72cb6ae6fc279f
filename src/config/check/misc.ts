// The small keys: name, workdir, frozen, gpus and env.
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { IDENT, isPlainMap, text } from '../schema.js';
import type { Path } from '../words.js';
import { NUL_MESSAGE } from './command.js';

const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkName(c: Checker, value: unknown): string | undefined {
  const expected =
    'expected a short campaign name made of letters, digits, `.`, `_` and `-`, starting with a letter or digit (it becomes a directory and the git branch nightshift/<name>), e.g. lr-sweep';
  if (!c.required({ name: value }, 'name', expected)) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') {
    c.expect(['name'], 'expected the name as text', `Put it in quotes: name: "${c.scalarSource(['name']) ?? String(value)}".`);
    return undefined;
  }
  if (typeof value !== 'string' || !CAMPAIGN_NAME.test(value)) {
    const fix = typeof value === 'string' ? value.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') : '';
    c.expect(['name'], expected, fix && CAMPAIGN_NAME.test(fix) ? `Try name: ${fix}.` : undefined);
    return undefined;
  }
  if (value.includes('..') || value.endsWith('.') || value.endsWith('.lock')) {
    c.expect(['name'], 'expected a name git accepts as a branch name (no `..`, not ending in `.` or `.lock`)');
    return undefined;
  }
  return value;
}

export function checkWorkdir(c: Checker, value: unknown, dir: string): string | undefined {
  let rel = '.';
  if (value !== undefined && value !== null) {
    const parsed = c.parse(text('a directory path, relative to the campaign file (default: the file\'s own directory)'), value, ['workdir']);
    if (parsed === undefined) return undefined;
    rel = parsed;
  }
  const expanded = rel === '~' || rel.startsWith('~/') ? path.join(process.env.HOME ?? '~', rel.slice(1)) : rel;
  const abs = path.resolve(dir, expanded);
  let stat;
  try {
    stat = statSync(abs);
  } catch {
    c.add(['workdir'], `the directory ${abs} does not exist (workdir is resolved relative to the campaign file's directory, ${dir}). Create it or fix the path, then run again.`);
    return undefined;
  }
  if (!stat.isDirectory()) {
    c.add(['workdir'], `${abs} is a file, not a directory. Point workdir at the directory the command should run in.`);
    return undefined;
  }
  return abs;
}

export function checkFrozen(c: Checker, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  const single = typeof value === 'string';
  const schema = z.array(text('a file path or glob relative to workdir, e.g. evaluate.py or data/**'), {
    error: 'expected a list of file paths or globs relative to workdir, e.g. [evaluate.py, data/**]',
  });
  const globs = c.parse(schema, list, single ? [] : ['frozen']);
  if (!globs) {
    if (single) c.expect(['frozen'], 'expected a list of file paths or globs relative to workdir, e.g. [evaluate.py, data/**]');
    return undefined;
  }
  let ok = true;
  for (const [i, g] of globs.entries()) {
    const p: Path = single ? ['frozen'] : ['frozen', i];
    if (path.isAbsolute(g) || g.split(/[\\/]/).includes('..')) {
      c.expect(p, 'expected a path or glob inside workdir (relative, without ..)', 'Frozen files are hashed relative to workdir; move the file inside it or change workdir.');
      ok = false;
    }
  }
  return ok ? globs : undefined;
}

/** `gpus: [0, 1]` (or device UUIDs): slot i runs with CUDA_VISIBLE_DEVICES = gpus[i mod n]. */
export function checkGpus(c: Checker, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' || typeof value === 'number' ? [value] : null;
  if (!list || list.length === 0) {
    c.expect(['gpus'], 'expected a list of GPU device ids, e.g. gpus: [0, 1] (each slot gets CUDA_VISIBLE_DEVICES set to one of them)');
    return undefined;
  }
  const out: string[] = [];
  list.forEach((g, i) => {
    const ok = (typeof g === 'number' && Number.isInteger(g) && g >= 0) || (typeof g === 'string' && /^[A-Za-z0-9:_,.-]+$/.test(g));
    if (ok) out.push(String(g));
    else c.expect(['gpus', i], 'expected a device id: a whole number ≥ 0 or a device UUID such as GPU-1a2b3c4d');
  });
  return out.length === list.length ? out : undefined;
}

export function checkEnv(c: Checker, value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return {};
  if (!isPlainMap(value)) {
    c.expect(['env'], 'expected a map of environment variables, e.g. { OMP_NUM_THREADS: "4", WANDB_MODE: offline }');
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const [key, v] of Object.entries(value)) {
    const p = ['env', key];
    if (!IDENT.test(key)) {
      c.add(p, 'environment variable names must be letters, digits and _, not starting with a digit. Rename it and run again.', 'key');
      ok = false;
    } else if (key.startsWith('NIGHTSHIFT_')) {
      c.add(p, `${key} is set by nightshift for every trial (NIGHTSHIFT_* is reserved). Remove it, or use another name.`, 'key');
      ok = false;
    } else if (typeof v === 'string' && v.includes('\0')) {
      c.add(p, NUL_MESSAGE);
      ok = false;
    } else if (typeof v === 'string') out[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[key] = c.scalarSource(p) ?? String(v);
    else {
      c.expect(p, 'expected a value as text (or a number)', v === null ? `Write ${key}: "" for an empty value.` : undefined);
      ok = false;
    }
  }
  return ok ? out : undefined;
}
