// Frozen files: hashed when the campaign starts and re-checked before every evaluation, so a trial
// (or a code edit) that touches the evaluator or the data is invalid, never scored.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globToRegExp } from './workspace/glob.js';

/** Directories never searched for frozen files. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.nightshift', '__pycache__']);

/** The fixed directory prefix of a glob (where to start walking). */
function staticPrefix(glob: string): string {
  const parts = glob.split('/');
  const fixed: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (/[*?{]/.test(p)) break;
    fixed.push(p);
  }
  return fixed.join('/');
}

function walk(root: string, rel: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(root, r, out);
    } else if (e.isFile()) out.push(r);
  }
}

export function matchFrozen(root: string, globs: string[]): string[] {
  const found = new Set<string>();
  for (const glob of globs) {
    const g = glob.replace(/^\.\//, '');
    if (!/[*?{]/.test(g)) {
      const full = path.join(root, g);
      if (fs.existsSync(full) && fs.statSync(full).isDirectory()) {
        const files: string[] = [];
        walk(root, g, files);
        files.forEach((f) => found.add(f));
      } else found.add(g); // a missing literal file is recorded as missing
      continue;
    }
    const re = globToRegExp(g);
    const files: string[] = [];
    walk(root, staticPrefix(g), files);
    for (const f of files) if (re.test(f)) found.add(f);
  }
  return [...found].sort();
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

/** Hashes frozen files, re-reading a file only when its size, mtime or inode changed. */
export class FrozenFiles {
  private cache = new Map<string, CacheEntry>();

  constructor(private readonly root: string, private readonly globs: string[]) {}

  hashAll(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const rel of matchFrozen(this.root, this.globs)) out[rel] = this.hash(rel);
    return out;
  }

  private hash(rel: string): string {
    const full = path.join(this.root, rel);
    let st: fs.Stats;
    try {
      st = fs.statSync(full);
    } catch {
      return 'missing';
    }
    const hit = this.cache.get(rel);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && hit.ino === st.ino) return hit.hash;
    const hash = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    this.cache.set(rel, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash });
    return hash;
  }

  /** Files whose hash differs from `expected`, or that appeared or vanished. [] when intact. */
  changed(expected: Record<string, string>): string[] {
    const now = this.hashAll();
    const names = new Set([...Object.keys(expected), ...Object.keys(now)]);
    return [...names].filter((n) => expected[n] !== now[n]).sort();
  }
}
