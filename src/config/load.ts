// Loads a campaign file: YAML parsed with positions, structure checked with zod (strict objects),
// meaning checked by hand, and every problem reported as one paragraph naming the file, the line,
// the key path, what was expected and what to do. The pieces:
//   yaml.ts     syntax errors and the line of a key path;
//   words.ts    how values, key paths and did-you-mean suggestions are written;
//   schema.ts   zod plumbing (issue wording, shared value shapes);
//   checker.ts  collects the problems;
//   check/*.ts  one checker per top-level key or group of keys, check/campaign.ts runs them all.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { Checker } from './checker.js';
import { checkCampaign } from './check/campaign.js';
import { decodeUtf8 } from './encoding.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import type { ProposerRegistry } from './registry.js';
import type { CampaignConfig } from './types.js';
import { yamlErrorDetail } from './yaml.js';

export { CAMPAIGN_KEYS, DEFAULTS } from './defaults.js';
export type { ProposerEntry, ProposerRegistry } from './registry.js';
export { MIN_MAX_LOG } from './schema.js';
export { closest, editDistance, formatKeyPath } from './words.js';
export { commandPlaceholders } from '../engine/command.js';
export { patternProblem } from '../metrics.js';

export interface LoadOptions {
  /** The proposer registry to validate `proposer:` against (proposers/index.ts PROPOSERS, passed in by the composition root). */
  proposers: ProposerRegistry;
  /** Directory used to shorten the file name in messages; defaults to process.cwd(). */
  cwd?: string;
}

/**
 * Reads, parses and validates a campaign file. Returns the resolved config (absolute paths,
 * durations in ms, defaults filled in) or throws a ConfigError whose message names the file, line,
 * key path and what was expected.
 */
export function loadCampaign(file: string, options: LoadOptions): CampaignConfig {
  const abs = path.resolve(file);
  const cwd = options.cwd ?? process.cwd();
  const rel = path.relative(cwd, abs);
  const displayFile = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
  const fail = (p: ConfigProblem): never => {
    throw new ConfigError({ file: abs, displayFile, ...p });
  };

  let source: string;
  try {
    if (statSync(abs).isDirectory()) {
      fail({ keyPath: '', detail: `this is a directory, not a campaign file. Pass the YAML file itself, e.g. ${path.join(displayFile, 'campaign.yaml')}.` });
    }
    const decoded = decodeUtf8(readFileSync(abs));
    if (!('text' in decoded)) {
      return fail({ line: decoded.badLine, keyPath: '', detail: 'this file is not UTF-8 (this line holds bytes in another encoding, e.g. Latin-1). Save the file as UTF-8 and run again.' });
    }
    source = decoded.text;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return fail({ keyPath: '', detail: `cannot read the campaign file (${why}). Check the path and run again.` });
  }
  return parseCampaign(source, abs, { ...options, displayFile });
}

/** As loadCampaign, for text already in memory; `file` still anchors relative paths and messages. */
export function parseCampaign(
  source: string,
  file: string,
  options: LoadOptions & { displayFile?: string },
): CampaignConfig {
  const abs = path.resolve(file);
  const displayFile = options.displayFile ?? path.basename(abs);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lineCounter.linePos(err.pos[0]);
    throw new ConfigError({
      file: abs,
      displayFile,
      line: pos.line,
      column: pos.col,
      keyPath: '',
      detail: yamlErrorDetail(err.code, err.message, source, err.pos[0]),
    });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new ConfigError({
      file: abs,
      displayFile,
      keyPath: '',
      detail: `this YAML cannot be expanded (${(err as Error).message.replace(/\.$/, '')}). Use fewer aliases (*name) and run again.`,
    });
  }
  const ctx = new Checker(doc, raw, lineCounter, options.proposers);
  const config = checkCampaign(ctx, abs);
  const problems = ctx.sortedProblems();
  if (problems.length > 0 || !config) {
    const [first, ...more] = problems.length > 0 ? problems : [{ keyPath: '', detail: 'the file could not be read as a campaign.' }];
    throw new ConfigError({ file: abs, displayFile, ...first, more });
  }
  return config;
}
