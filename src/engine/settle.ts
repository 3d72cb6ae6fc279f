// Filing a decided trial in git: a kept code trial moves the campaign branch, any other code trial's
// commit stays reachable under refs/nightshift/<campaign>/trials/<id>, and the worktree goes.
import type { TrialState } from '../state.js';
import type { Workspace } from '../workspace/git.js';

export interface Settled {
  /** The campaign branch's new tip, when it moved. */
  tip?: string;
  warning?: string;
}

export async function settleTrial(ws: Workspace, t: TrialState, best: boolean, tip: string): Promise<Settled> {
  const id = String(t.id);
  const out: Settled = {};
  // A param trial's commit is the tip it ran on: nothing of its own to file.
  const own = t.proposal.kind === 'code' && t.commit && t.commit !== t.base ? t.commit : undefined;
  if (own && t.status === 'keep') {
    const r = await ws.keep(id, own);
    if (r.kind === 'kept') out.tip = own;
    else if (best) {
      // Built on an older tip (a parallel code trial was kept meanwhile) and better than that one:
      // the branch's tip must be the best code, so it moves anyway (the reflog says so).
      await ws.moveBranch(id, own, r.tip);
      out.tip = own;
      out.warning = `trial #${t.id} was kept but does not build on ${ws.branch}'s tip ${r.tip.slice(0, 7)}; the branch moved to it anyway because it scored better (${r.tip.slice(0, 7)} stays under its trial ref).`;
    } else {
      await ws.discard(id, own);
    }
  } else if (own) {
    await ws.discard(id, own);
  }
  await ws.removeWorktree(id);
  return out;
}
