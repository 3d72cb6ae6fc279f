// The whole file: top-level keys, each section's checker in the order the docs present them, and the
// checks across sections (placeholders name parameters, ranked metrics can be read).
import { checkSandbox } from './sandbox.js';
import path from 'node:path';
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { CAMPAIGN_KEYS, DEFAULTS } from '../defaults.js';
import { duration, isPlainMap, size, wholeNumber } from '../schema.js';
import type { CampaignConfig } from '../types.js';
import { describeValue } from '../words.js';
import { checkBudget } from './budget.js';
import { allCode, checkCodeNeedsMutable, checkMutable, checkOverlap, checkPreflight, checkReview } from './code.js';
import { checkCommand, checkPlaceholders } from './command.js';
import { checkDecide } from './decide.js';
import { checkEvaluate } from './evaluate.js';
import { checkHybrid } from './hybrid.js';
import { checkMetric, checkReadable, checkResults } from './metric.js';
import { checkLlmNeeds, checkLlmSection } from './llm-section.js';
import { checkEnv, checkFrozen, checkGpus, checkName, checkWorkdir } from './misc.js';
import { checkProposers } from './proposer.js';
import { checkPruner } from './pruner.js';
import { checkSpace } from './space.js';
import { checkHosts } from './hosts.js';

export function checkCampaign(c: Checker, file: string): CampaignConfig | undefined {
  const dir = path.dirname(file);
  const root = c.raw;
  if (root === null || root === undefined) {
    c.addAtLine(1, 'the file is empty. A campaign needs at least name, command, metric and space; see docs/campaign-file.md for an example.');
    return undefined;
  }
  if (!isPlainMap(root)) {
    c.add([], `expected a map of settings at the top level (name:, command:, metric:, space: ...), got ${describeValue(root)}. Write one \`key: value\` per line.`);
    return undefined;
  }

  const shape = Object.fromEntries(CAMPAIGN_KEYS.map((k) => [k, z.unknown().optional()]));
  c.parse(z.strictObject(shape), root, []);

  const name = checkName(c, root.name);
  const workdir = checkWorkdir(c, root.workdir, dir);
  const command = c.required(root, 'command', 'expected the shell command that runs one trial, e.g. python3 train.py --lr {lr}')
    ? checkCommand(c, root.command)
    : undefined;
  const metric = checkMetric(c, root.metric);
  // A campaign of code proposers only (autoresearch style) edits the script and has no parameters.
  const space = root.space == null && allCode(c, root.proposer) ? {} : checkSpace(c, root.space);
  const paramNames = isPlainMap(root.space) ? Object.keys(root.space) : [];
  if (command !== undefined && paramNames.length > 0) checkPlaceholders(c, command, paramNames, ['command']);
  const hybrid = checkHybrid(c, root.proposer, root.space, space);
  const proposers = hybrid === null ? checkProposers(c, root.proposer, space) : hybrid?.proposers;
  const gpus = checkGpus(c, root.gpus);
  // One trial per GPU unless parallel says otherwise.
  const parallel = c.optional(root.parallel, wholeNumber(1), ['parallel'], gpus && gpus.length ? gpus.length : DEFAULTS.parallel);
  const seed = c.optional(root.seed, wholeNumber(0), ['seed'], DEFAULTS.seed);
  const queueAhead = c.optional(root.queue_ahead, wholeNumber(0), ['queue_ahead'], DEFAULTS.queue_ahead);
  const killGrace = c.optional(root.kill_grace, duration(false), ['kill_grace'], DEFAULTS.kill_grace_ms);
  const maxLog = c.optional(root.max_log, size(), ['max_log'], DEFAULTS.max_log_bytes);
  const budget = checkBudget(c, root.budget);
  const llm = checkLlmSection(c, root.llm);
  checkLlmNeeds(c, root, proposers, budget);
  const pruner = checkPruner(c, root.pruner);
  const evaluate = checkEvaluate(c, root.evaluate);
  if (evaluate && paramNames.length > 0) {
    checkPlaceholders(c, evaluate.command, paramNames, typeof root.evaluate === 'string' ? ['evaluate'] : ['evaluate', 'command']);
  }
  const frozen = checkFrozen(c, root.frozen);
  const mutable = checkMutable(c, root.mutable);
  if (mutable && frozen) checkOverlap(c, mutable, frozen, typeof root.mutable === 'string');
  if (mutable && proposers) checkCodeNeedsMutable(c, proposers, mutable, !Array.isArray(root.proposer));
  const review = checkReview(c, root.review);
  const preflight = checkPreflight(c, root.preflight);
  const decide = checkDecide(c, root.decide);
  const env = checkEnv(c, root.env);
  const results = checkResults(c, root.results, metric?.name);
  const hosts = checkHosts(c, root);
  const sandbox = checkSandbox(c, root.sandbox);
  if (metric && decide && evaluate !== undefined) checkReadable(c, metric, decide, true);
  else if (metric && decide && root.evaluate == null) checkReadable(c, metric, decide, false);

  if (c.problemCount > 0) return undefined;
  const config: CampaignConfig = {
    file,
    dir,
    name: name!,
    workdir: workdir!,
    command: command!,
    metric: metric!,
    space: space!,
    proposers: proposers!,
    parallel: parallel!,
    seed: seed!,
    budget: budget!,
    kill_grace_ms: killGrace!,
    pruner: pruner!,
    frozen: frozen!,
    decide: decide!,
    env: env!,
    queue_ahead: queueAhead!,
    gpus: gpus!,
    results: results!,
    max_log_bytes: maxLog!,
    mutable: mutable!,
    review: review!,
    sandbox: sandbox!,
    ...hosts!,
  };
  if (evaluate) config.evaluate = evaluate;
  if (hybrid) config.hybrid = hybrid.hybrid;
  if (preflight) config.preflight = preflight;
  if (llm) config.llm = llm;
  return config;
}
