// `nightshift verify`: the journal's hash chain, the frozen files against the hashes recorded when
// the campaign started, every kept trial's commit, and the frozen-set and evaluator hashes each scored
// trial's fingerprint recorded. One paragraph per problem; `report` uses the quick part (chain and
// frozen files) to decide whether it may call the winner verified.
import * as fs from 'node:fs';
import type { CampaignConfig } from '../config/types.js';
import type { EventOf } from '../events.js';
import { FrozenFiles, matchFrozen } from '../frozen.js';
import { frozenSetHash } from '../integrity.js';
import { JournalMissing } from '../journal.js';
import { journalPath } from '../paths.js';
import { allTrials, replay, type CampaignState } from '../state.js';
import { shortHash } from '../chain.js';
import { checkChain, type ChainReport } from './chain.js';
import { checkCommits } from './commits.js';

export interface VerifyResult {
  journal: string;
  chain: ChainReport;
  state: CampaignState | null;
  started: EventOf<'campaign.started'> | null;
  frozenFiles: number;
  frozenProblems: string[];
  commitsChecked: number;
  /** Every problem (chain, frozen, commits, fingerprints), one paragraph each. */
  problems: string[];
  /** The winner may be called verified: chain intact (not merely unchained), frozen files match. */
  winnerVerified: boolean;
  /** Why it may not (one sentence), when it may not. */
  notVerifiedWhy: string | null;
}

function readBytes(path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new JournalMissing(`No journal at ${path}: this campaign has not been started with this --out directory. Pass the --out you used.`);
    }
    throw err;
  }
}

function checkFrozen(config: CampaignConfig, recorded: Record<string, string>): string[] {
  const names = Object.keys(recorded);
  const now = new FrozenFiles(config.workdir, names).hashAll();
  const problems: string[] = [];
  for (const name of names.sort()) {
    const was = recorded[name];
    const is = now[name] ?? 'missing';
    if (was === is) continue;
    if (is === 'missing') problems.push(`Frozen file ${name} is gone from ${config.workdir}: it was recorded (sha256 ${was}) when the campaign started.`);
    else if (was === 'missing') problems.push(`Frozen file ${name} exists now, but was missing when the campaign started.`);
    else problems.push(`Frozen file ${name} changed since the campaign started: its sha256 is ${is}, the campaign recorded ${was}. Scores from before and after the change are not comparable.`);
  }
  for (const name of matchFrozen(config.workdir, config.frozen)) {
    if (!(name in recorded)) problems.push(`Frozen file ${name} matches the campaign's frozen: patterns but was not there when the campaign started (added since).`);
  }
  return problems;
}

/** Scored trials whose fingerprint says they were scored under other frozen files or another evaluator. */
function checkFingerprints(state: CampaignState, started: EventOf<'campaign.started'>): string[] {
  const frozen = frozenSetHash(started.frozen);
  const badFrozen: number[] = [];
  const badEval: number[] = [];
  for (const t of allTrials(state)) {
    if (t.score === null || !t.fingerprint) continue;
    if (t.fingerprint.frozen !== undefined && t.fingerprint.frozen !== frozen) badFrozen.push(t.id);
    if (t.fingerprint.evaluator !== undefined && started.evaluator !== undefined && t.fingerprint.evaluator !== started.evaluator) badEval.push(t.id);
  }
  const list = (ids: number[]) => ids.slice(0, 10).map((i) => `#${i}`).join(', ') + (ids.length > 10 ? `, … (${ids.length} in all)` : '');
  const out: string[] = [];
  if (badFrozen.length) out.push(`Trial(s) ${list(badFrozen)} were scored under a frozen set other than the one recorded when the campaign started (${shortHash(frozen)}): the frozen files changed while they ran, or their fingerprints were edited.`);
  if (badEval.length) {
    out.push(`Trial(s) ${list(badEval)} were scored under an evaluator other than the one recorded when the campaign started (${shortHash(started.evaluator!)}): the evaluate command or a file it names changed mid-campaign, so their scores are not comparable with the others'.`);
  }
  return out;
}

/** commits: also check kept trials' commits (spawns git; `report` leaves it out). */
export function verifyCampaign(config: CampaignConfig, outDir: string, opts: { commits: boolean } = { commits: true }): VerifyResult {
  const journal = journalPath(outDir);
  const chain = checkChain(readBytes(journal));
  const problems = [...chain.problems];
  const started = (chain.events.find((e) => e.type === 'campaign.started') as EventOf<'campaign.started'> | undefined) ?? null;
  if (!started) problems.push(`${journal} holds no campaign.started event, so there are no frozen-file hashes to check against.`);
  let state: CampaignState | null = null;
  try {
    state = replay(chain.events);
  } catch (err) {
    problems.push(`The journal's events do not replay into a campaign (${(err as Error).message}): lines are missing or out of order.`);
  }
  const frozenProblems = started ? checkFrozen(config, started.frozen) : [];
  problems.push(...frozenProblems);
  let commitsChecked = 0;
  let fingerprintProblems: string[] = [];
  if (state && started) {
    fingerprintProblems = checkFingerprints(state, started);
    problems.push(...fingerprintProblems);
    if (opts.commits) {
      const c = checkCommits(config.workdir, allTrials(state).filter((t) => t.status === 'keep'));
      commitsChecked = c.checked;
      problems.push(...c.problems);
    }
  }
  let why: string | null = null;
  const hint = '; `nightshift verify` says exactly what';
  if (chain.status === 'broken') why = `the journal's hash chain breaks ${chain.firstBreak}${hint}`;
  else if (chain.status !== 'intact') why = 'the journal was written by an older nightshift and is not hash-chained';
  else if (frozenProblems.length) why = `${frozenProblems.length} frozen file(s) changed since the campaign started${hint}`;
  else if (fingerprintProblems.length) why = `some trials were scored under other frozen files or another evaluator than the campaign recorded${hint}`;
  return {
    journal,
    chain,
    state,
    started,
    frozenFiles: started ? Object.keys(started.frozen).length : 0,
    frozenProblems,
    commitsChecked,
    problems,
    winnerVerified: why === null,
    notVerifiedWhy: why,
  };
}
