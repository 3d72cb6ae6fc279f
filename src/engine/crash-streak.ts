// budget.first_crashes: when the first trials of a run all crash the same way and nothing has ever
// been scored, the command itself is broken (not found, a syntax error, a missing file). Running
// the rest of the budget would only repeat it, so the campaign stops and says why. Pure.
import type { CrashStreak } from '../state/rules.js';

export const DEFAULT_FIRST_CRASHES = 3;

/** The one-paragraph message that ends the campaign, or null when it should go on. */
export function firstCrashesStop(
  streak: CrashStreak,
  limit: number,
  scoredEver: boolean,
  where: { workdir: string; outDir: string; file: string },
): string | null {
  if (limit <= 0 || scoredEver || streak === null || streak.count < limit) return null;
  return (
    `the first ${streak.count} trials all crashed the same way and none has been scored, so the campaign stopped instead of ` +
    `spending the rest of its budget: "${streak.reason}". Run the command by hand in ${where.workdir} ` +
    `(each trial's output is in ${where.outDir}/trials/<id>/output.log), fix it, then run \`nightshift resume ${where.file}\`; ` +
    `set budget.first_crashes: 0 to never stop early`
  );
}
