// What the loader needs to know of proposers, so it can check `proposer:` without importing them.
import type { z } from 'zod';
import type { ProposerSide, Space } from '../types.js';

/** What the loader needs of a proposer registry entry (a subset of proposers/index.ts ProposerFactory). */
export interface ProposerEntry {
  options: z.ZodType;
  unsupported?(space: Space): string | null;
  summary?: string;
  /** params (default) or code: `hybrid` needs one of each. */
  side?: ProposerSide;
  /** Calls a language model: the campaign file must have `llm:`. */
  needsLlm?: boolean;
}
export type ProposerRegistry = Record<string, ProposerEntry>;
