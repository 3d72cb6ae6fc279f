// What `nightshift verify` prints: one summary line when all is well, one paragraph per problem
// when not.
import { shortHash } from '../chain.js';
import { frozenSetHash } from '../integrity.js';
import { allTrials } from '../state.js';
import type { VerifyResult } from './verify.js';

function chainWords(r: VerifyResult): string {
  const c = r.chain;
  if (c.status === 'unchained') return 'not chained (written by an older version of nightshift)';
  if (c.status === 'empty') return 'empty journal';
  if (c.status === 'broken') return 'chain BROKEN';
  return c.unchained ? `chain intact from line ${c.unchained + 1} on (the first ${c.unchained} lines are not chained: written by an older version of nightshift)` : 'chain intact';
}

export function formatVerify(r: VerifyResult): { text: string; ok: boolean } {
  const out: string[] = [];
  const events = r.chain.events.length;
  const ok = r.problems.length === 0;
  if (ok) out.push(`verified: ${events} events, ${chainWords(r)}, ${r.frozenFiles} frozen file${r.frozenFiles === 1 ? ' matches' : 's match'}`);
  else {
    out.push(`NOT verified: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} in ${r.journal} (${events} events, ${chainWords(r)}):`);
    for (const p of r.problems) out.push('', p);
    out.push('');
  }
  if (r.state && r.started) {
    const scored = allTrials(r.state).filter((t) => t.score !== null && t.fingerprint?.frozen);
    if (scored.length) {
      out.push(`scored trials: ${scored.length} with recorded hashes; the campaign's frozen set is ${shortHash(frozenSetHash(r.started.frozen))}${r.started.evaluator ? `, its evaluator ${shortHash(r.started.evaluator)}` : ''}`);
    }
  }
  if (r.commitsChecked) out.push(`kept commits: ${r.commitsChecked} checked${ok ? ', all found and reachable' : ''}`);
  if (r.chain.torn) out.push("note: the journal's last line is torn (a crash mid-write, or the supervisor is writing it right now); it is not part of the chain.");
  if (r.chain.head && r.chain.status !== 'unchained') {
    out.push(`head: ${r.chain.head} (the last line's hash; a chain cannot notice a change of its own last line or a cut tail, so note this down to compare later)`);
  }
  return { text: out.join('\n') + '\n', ok };
}
