// Hosts as runners report them (host.up / host.down with a reason). Journaled for the record; the
// state keeps nothing of them yet, so they fold to no change.
import type { Handlers } from './shape.js';

export const hostEvents = {
  'host.up': (s) => s,
  'host.down': (s) => s,
} satisfies Handlers;
