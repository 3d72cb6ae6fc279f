// Which paths an edit may touch. Checked for every path of every edit before any file is
// written, so a refused proposal leaves the repository exactly as it was.

import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { matchesAny } from './glob.js';

export interface EditRules {
  mutable: readonly string[];
  frozen: readonly string[];
}

async function lstatOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await lstat(p);
  } catch {
    return null;
  }
}

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root + path.sep);

/** A reason the path may not be touched, or undefined when it may. `rel` as the model wrote it. */
export async function refusePath(dir: string, rel: string, rules: EditRules): Promise<string | undefined> {
  if (rel.trim() === '' || rel.includes('\0')) return `the edit names an empty or malformed path (${JSON.stringify(rel)}).`;
  const slashed = rel.replace(/\\/g, '/');
  if (path.isAbsolute(rel) || slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed) || slashed.startsWith('~')) {
    return `the edit names an absolute path (${rel}); paths must be relative to the repository.`;
  }
  if (slashed.split('/').includes('..')) return `the edit names ${rel}, which uses ".." to leave the repository.`;
  const clean = path.posix.normalize(slashed).replace(/^\.\//, '');

  const root = await realpath(dir);
  // Every existing parent must resolve inside the repository, and the file itself must not be a
  // symlink: writing through one would change a file the globs never saw.
  const parts = clean.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const p = path.join(root, ...parts.slice(0, i));
    const st = await lstatOrNull(p);
    if (!st) break;
    if (i === parts.length && st.isDirectory()) return `the edit names ${clean}, which is a directory, not a file.`;
    if (i < parts.length && !st.isDirectory() && !st.isSymbolicLink()) return `the edit names ${clean}, but ${parts.slice(0, i).join('/')} is a file, not a directory.`;
    if (st.isSymbolicLink()) {
      if (i === parts.length) return `the edit names ${clean}, which is a symlink; symlinks are never edited.`;
      let real: string;
      try {
        real = await realpath(p);
      } catch {
        return `the edit names ${clean}, whose parent ${parts.slice(0, i).join('/')} is a broken symlink.`;
      }
      if (!inside(root, real)) {
        return `the edit names ${clean}, whose parent ${parts.slice(0, i).join('/')} is a symlink that leads outside the repository.`;
      }
    }
  }
  // Judge the path the write would really reach, as well as the path as written.
  const names = [clean];
  const parent = await realpath(path.join(root, path.dirname(clean))).catch(() => undefined);
  if (parent && inside(root, parent)) names.push(path.relative(root, path.join(parent, path.basename(clean))).split(path.sep).join('/'));
  for (const name of names) {
    if (matchesAny(name, rules.frozen)) return `the edit touches ${name}, a frozen file.`;
  }
  for (const name of names) {
    if (!matchesAny(name, rules.mutable)) {
      return `the edit touches ${name}, which is not mutable (mutable: ${rules.mutable.join(', ') || 'nothing'}).`;
    }
  }
  return undefined;
}

export function cleanPath(rel: string): string {
  return path.posix.normalize(rel.replace(/\\/g, '/')).replace(/^\.\//, '');
}
