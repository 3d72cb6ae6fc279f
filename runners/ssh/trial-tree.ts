// The tree a trial runs in on its host. A param trial runs in the campaign's code (shipped once per
// host); a code trial (and every trial of a campaign with `mutable:`) runs in its own git worktree,
// which lives under the state directory, outside the campaign's shipment: that worktree is packed
// on its own and shipped like the campaign's code, cached by content hash, so trials at the same
// commit share one tree on the host and only a commit the host has not seen costs a transfer.
import * as path from 'node:path';
import { HELPER_PYTHONPATH } from '../local.js';
import type { RemoteHost } from './host.js';
import { packCode, type CodePack } from './ship.js';

/** Whether `cwd` lies inside the campaign's shipment (under workdir and not under the state dir). */
export function insideShipment(workdir: string, outDir: string, cwd: string): boolean {
  const within = (root: string) => {
    const rel = path.relative(root, cwd);
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  return within(workdir) && !within(outDir);
}

/** The trial's own tree as one deterministic tar (same files → same hash), with the python helper. */
export function packTrialTree(cwd: string, outDir: string): Promise<CodePack> {
  return packCode(cwd, HELPER_PYTHONPATH, [outDir]);
}

/**
 * Ships a pack to the host, waiting through a dropped connection until `deadline` (the host's
 * grace): a trial whose host blinks while its code goes out is started late, not failed.
 */
export async function shipUntil(host: RemoteHost, send: () => Promise<boolean>, deadline: number): Promise<boolean> {
  for (;;) {
    try {
      return await send();
    } catch (err) {
      if (host.conn.state === 'up' || Date.now() > deadline) throw err;
      await host.waitUsable(deadline - Date.now());
    }
  }
}
