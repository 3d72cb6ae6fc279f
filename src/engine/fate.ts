// How a trial that stopped is judged, in the cases that are not the keep/discard rule: a stop that
// someone asked for, a non-zero exit, a metric that is NaN or infinite. Pure.
import type { CancelIntent } from '../state/rules.js';

export type CancelledStatus = 'lost' | 'killed' | 'pruned' | 'timeout';

/**
 * The status of a trial that was asked to stop while it ran. Only for trials the stop reached: a
 * trial that exited on its own before the stop was asked for is judged by its exit.
 */
export function cancelledFate(intent: CancelIntent): { status: CancelledStatus; reason: string } {
  switch (intent.by) {
    case 'interrupt':
      return { status: 'lost', reason: intent.reason };
    case 'timeout':
      return { status: 'timeout', reason: intent.reason };
    case 'pruner':
      return { status: 'pruned', reason: intent.reason };
    case 'operator':
      return { status: intent.mode === 'kill' ? 'killed' : 'pruned', reason: intent.reason };
  }
}

/**
 * The runner's sh wrapper runs the command with `eval` under its own $0, so the shell's own errors
 * read `nightshift-trial: 1: eval: python4: not found` (dash) or `nightshift-trial: line 1: …`
 * (bash). The wrapper is ours, not the user's: show only the error.
 */
const WRAPPER_PREFIX = /^nightshift-trial: (?:line )?\d+: (?:eval: )?/;

export function withoutWrapperPrefix(line: string): string {
  return line.trim().replace(WRAPPER_PREFIX, '');
}

/** Why a trial that exited non-zero crashed: how it ended and its last output line. */
export function crashReason(exit: { code: number | null; signal: string | null }, lastLine: string): string {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const last = withoutWrapperPrefix(lastLine).slice(0, 160);
  return `${how}${last ? `: ${last}` : ''}`;
}

/**
 * The first metric of a final reading that is not a finite number, as a crash reason, or null. A
 * diverged run (loss nan or inf) is a crash, never a score. A journaled NaN/inf replays as null.
 */
export function nonFiniteReading(metrics: Record<string, number | null>): string | null {
  for (const [name, v] of Object.entries(metrics)) {
    if (v === null) return `${name} is not a finite number (NaN or infinite)`;
    if (!Number.isFinite(v)) return `${name} is ${v}`;
  }
  return null;
}

