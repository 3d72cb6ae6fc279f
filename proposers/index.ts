// The proposer registry: one entry per `proposer:` type in the campaign file.
import { z } from 'zod';
import type { Proposer, Space } from '../src/types.js';
import { RandomProposer, randomOptions } from './random.js';
import { GridProposer, gridOptions } from './grid.js';
import { TpeProposer, tpeOptions } from './tpe.js';
import { CmaesProposer, cmaesOptions } from './cmaes.js';

export interface ProposerFactory {
  /** Validates the options written beside `type:` in the campaign file (strict: unknown keys are errors). */
  options: z.ZodType;
  /** Returns a reason when this proposer cannot search the given space, else null. */
  unsupported?(space: Space): string | null;
  create(options: any, space: Space): Proposer;
  summary: string;
}

export const PROPOSERS: Record<string, ProposerFactory> = {
  random: {
    options: randomOptions,
    create: () => new RandomProposer(),
    summary: 'uniform (log-uniform for log: true) random search, seeded',
  },
  grid: {
    options: gridOptions,
    create: (options) => new GridProposer(options),
    summary: 'every combination in order; floats get `points` values (default 5)',
  },
  tpe: {
    options: tpeOptions,
    create: (options) => new TpeProposer(options),
    summary: "Tree-structured Parzen Estimator (Optuna's rules), optional multivariate, constant liar for parallel slots",
  },
  cmaes: {
    options: cmaesOptions,
    create: (options) => new CmaesProposer(options),
    summary: 'CMA-ES with IPOP/BIPOP restarts over numeric dimensions; categorical ones by independent TPE',
  },
};

export interface ProposerSpec {
  type: string;
  options: Record<string, unknown>;
}

export function createProposer(spec: ProposerSpec, space: Space): Proposer {
  const factory = PROPOSERS[spec.type];
  if (!factory) throw new Error(`unknown proposer ${spec.type}`);
  return factory.create(factory.options.parse(spec.options ?? {}), space);
}
