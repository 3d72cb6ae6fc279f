// The files a campaign's globs name in a working tree: what the prompt shows the model and what
// the duplicate digest covers. Symlinks are not followed (they are never editable) and version
// control and dependency folders are skipped.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { matchesAny } from './glob.js';
import type { EditRules } from './guard.js';

const SKIP = new Set(['.git', 'node_modules', '__pycache__', '.nightshift', '.venv', 'venv']);

export async function listMutable(dir: string, rules: EditRules): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) await walk(p);
      } else if (e.isFile() && matchesAny(p, rules.mutable) && !matchesAny(p, rules.frozen)) {
        out.push(p);
      }
    }
  };
  await walk('');
  return out.sort();
}
