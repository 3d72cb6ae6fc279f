// The proposer registry: one entry per `proposer:` type in the campaign file. The composition root
// (src/session.ts) hands it to the config loader and builds the configured proposers from it.
import { z } from 'zod';
import type { Proposer, ProposerDeps, ProposerSide, Space } from '../src/types.js';
import { RandomProposer, randomOptions } from './random.js';
import { GridProposer, gridOptions } from './grid.js';
import { TpeProposer, tpeOptions } from './tpe.js';
import { CmaesProposer, cmaesOptions } from './cmaes.js';
import { LlmCodeProposer, llmCodeOptions } from './llm-code.js';
import { PatchesProposer, patchesOptions } from './patches.js';
import { LlmParamsProposer, llmParamsOptions } from './llm-params.js';

export interface ProposerFactory {
  /** Validates the options written beside `type:` in the campaign file (strict: unknown keys are errors). */
  options: z.ZodType;
  /** Returns a reason when this proposer cannot search the given space, else null. */
  unsupported?(space: Space): string | null;
  /** Builds the proposer from raw options (validated by `options` on the way in) and its dependencies. */
  create(options: unknown, deps: ProposerDeps): Proposer;
  summary: string;
  /** What it proposes: points of the space (default) or code edits (needs `mutable:` and `llm:`). */
  side?: ProposerSide;
  /** Calls a language model (ProposerDeps.llm): the loader asks for `llm:` in the campaign file. */
  needsLlm?: boolean;
}

/**
 * A registry entry whose `make` receives the options as its schema types them: the one place
 * options go from unknown to typed is the schema's parse.
 */
function entry<S extends z.ZodType>(def: {
  options: S;
  summary: string;
  side?: ProposerSide;
  needsLlm?: boolean;
  unsupported?(space: Space): string | null;
  make(options: z.output<S>, deps: ProposerDeps): Proposer;
}): ProposerFactory {
  const { make, ...rest } = def;
  return { ...rest, create: (options, deps) => make(def.options.parse(options ?? {}), deps) };
}

export const PROPOSERS: Readonly<Record<string, ProposerFactory>> = {
  random: entry({
    options: randomOptions,
    make: () => new RandomProposer(),
    summary: 'uniform (log-uniform for log: true) random search, seeded',
  }),
  grid: entry({
    options: gridOptions,
    make: (options) => new GridProposer(options),
    summary: 'every combination in order; floats get `points` values (default 5)',
  }),
  tpe: entry({
    options: tpeOptions,
    make: (options) => new TpeProposer(options),
    summary: "Tree-structured Parzen Estimator (Optuna's rules), optional multivariate, constant liar for parallel slots",
  }),
  cmaes: entry({
    options: cmaesOptions,
    make: (options) => new CmaesProposer(options),
    summary: 'CMA-ES with IPOP/BIPOP restarts over numeric dimensions; categorical ones by independent TPE',
  }),
  'llm-params': entry({
    options: llmParamsOptions,
    make: (options, deps) => new LlmParamsProposer(options, deps),
    needsLlm: true,
    summary: 'a language model reads the scored history (best last) and proposes k points per call (OPRO); needs llm:',
  }),
  'llm-code': entry({
    options: llmCodeOptions,
    side: 'code',
    needsLlm: true,
    make: (options, deps) => new LlmCodeProposer(options, deps),
    summary: 'a language model edits the mutable files: k diverse hypotheses per call, edits tried before they queue, revised on error',
  }),
  patches: entry({
    options: patchesOptions,
    side: 'code',
    make: (options, deps) => new PatchesProposer(options, deps.code),
    summary: 'a fixed list of code edits (unified diffs with a hypothesis each), tried in order',
  }),
};

export interface ProposerSpec {
  type: string;
  options: Record<string, unknown>;
}

export function createProposer(spec: ProposerSpec, deps: ProposerDeps): Proposer {
  const factory = Object.prototype.hasOwnProperty.call(PROPOSERS, spec.type) ? PROPOSERS[spec.type] : undefined;
  if (!factory) throw new Error(`unknown proposer ${spec.type}`);
  return factory.create(spec.options, deps);
}
