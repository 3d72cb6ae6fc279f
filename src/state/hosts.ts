// Hosts as runners report them (host.up / host.down with a reason): the latest word on each, in the
// order they first reported, for the TUI's hosts line. Busy slots are not folded here: they are the
// running trials on the host, read from `running` when the line is drawn (hostRows).
import type { CampaignState, Handlers, HostState } from './shape.js';
import type { EventOf } from '../events.js';
import { getTrial } from './access.js';

function onHost(s: CampaignState, e: EventOf<'host.up'> | EventOf<'host.down'>): CampaignState {
  const prev = s.hosts.find((h) => h.name === e.host);
  const status: HostState['status'] = e.type === 'host.up' ? 'up' : e.reconnecting ? 'reconnecting' : 'down';
  const next: HostState = {
    name: e.host,
    status,
    reason: e.reason,
    // A journal from before slots were recorded keeps what an earlier event said, if any.
    slots: e.slots ?? prev?.slots,
    remote: e.remote ?? prev?.remote ?? false,
  };
  return { ...s, hosts: prev ? s.hosts.map((h) => (h === prev ? next : h)) : [...s.hosts, next] };
}

export const hostEvents = {
  'host.up': onHost,
  'host.down': onHost,
  'host.warning': (s) => s,
} satisfies Handlers;

export interface HostRow extends HostState {
  /** Running trials on it now. */
  busy: number;
}

/** The hosts line's rows: every host, once the campaign has a remote one (none for a local-only campaign). */
export function hostRows(s: CampaignState): HostRow[] {
  if (!s.hosts.some((h) => h.remote)) return [];
  const busy = new Map<string, number>();
  for (const id of s.running) {
    const t = getTrial(s, id);
    const host = t?.locator?.host ?? t?.host?.replace(/:\d+$/, '');
    if (host) busy.set(host, (busy.get(host) ?? 0) + 1);
  }
  return s.hosts.map((h) => ({ ...h, busy: busy.get(h.name) ?? 0 }));
}
