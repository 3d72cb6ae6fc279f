// What a trial is scored under, as two hashes a decision carries in its fingerprint: the frozen set
// (every frozen file's hash, as one) and the evaluator (its command, and the files in the workdir
// that command names, frozen or not). `verify` and `report` compare them with what campaign.started
// recorded; they are not part of the cohort key (a changed frozen file makes a trial invalid anyway).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CampaignConfig } from './config/types.js';
import { FrozenFiles } from './frozen.js';

export interface ScoredUnder {
  frozen: string;
  evaluator: string;
}

/** One hash for a frozen map (path → sha256), independent of the map's key order. */
export function frozenSetHash(frozen: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(frozen).sort()) h.update(`${name}\0${frozen[name]}\n`);
  return h.digest('hex');
}

/** Words of a command line that name a file in the workdir (quotes stripped; no shell expansion). */
function namedFiles(command: string, workdir: string): string[] {
  const words = command.split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, '')).filter((w) => w && !w.startsWith('-') && !w.includes('{'));
  const files = new Set<string>();
  for (const w of words) {
    const rel = path.isAbsolute(w) ? path.relative(workdir, w) : w;
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    try {
      if (fs.statSync(path.join(workdir, rel)).isFile()) files.add(rel.replace(/^\.\//, ''));
    } catch {
      // Not a file: an argument, a module name, a program on PATH.
    }
  }
  return [...files].sort();
}

// Hashed once per campaign config and file version: a big file named by the evaluator is re-read only
// when its size, mtime or inode changes (FrozenFiles' cache), not at every trial start.
const evaluatorFiles = new WeakMap<object, FrozenFiles>();

/** The evaluator's hash: its command (or "the trial's own metric line") and the files it names. */
export function evaluatorHash(config: Pick<CampaignConfig, 'evaluate' | 'metric' | 'workdir'>): string {
  const command = config.evaluate?.command ?? `(the trial's own ${config.metric.name} line)`;
  let files = evaluatorFiles.get(config);
  if (!files) {
    files = new FrozenFiles(config.workdir, namedFiles(command, config.workdir));
    evaluatorFiles.set(config, files);
  }
  return createHash('sha256').update(command + '\n' + frozenSetHash(files.hashAll())).digest('hex');
}

export function scoredUnder(config: Pick<CampaignConfig, 'evaluate' | 'metric' | 'workdir'>, frozen: FrozenFiles): ScoredUnder {
  return { frozen: frozenSetHash(frozen.hashAll()), evaluator: evaluatorHash(config) };
}
