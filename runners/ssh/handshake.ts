// Connection bursts under sshd's MaxStartups. sshd drops (at random, then all) new connections
// while more than `start` (10 by default) are still unauthenticated, so opening many connections to
// one server at once (8 host entries for one machine, a supervisor restarting, every host coming
// back after a network blip) loses some of them before the handshake. Here handshakes are limited
// per server (host:port): a few at a time, the rest wait their turn; a handshake the server drops
// lowers that server's limit to what it took (AIMD, as the channel pool does for MaxSessions) and
// a successful one raises it again, up to the cap.

/** Below OpenSSH's default MaxStartups start (10), leaving room for a person's own ssh. */
export const HANDSHAKES_PER_SERVER = 4;

interface Gate {
  limit: number;
  active: number;
  waiters: Array<() => void>;
}

const gates = new Map<string, Gate>();

function gate(key: string): Gate {
  let g = gates.get(key);
  if (!g) gates.set(key, (g = { limit: HANDSHAKES_PER_SERVER, active: 0, waiters: [] }));
  return g;
}

export interface HandshakeTurn {
  /** The handshake finished (authenticated) or failed for another reason: the next one may go. */
  done(ok: boolean): void;
  /** The server dropped it before the handshake: fewer at a time from now on. */
  refused(): void;
}

/** Waits for a turn to open a connection to `key` (host:port). */
export async function handshakeTurn(key: string): Promise<HandshakeTurn> {
  const g = gate(key);
  while (g.active >= g.limit) await new Promise<void>((r) => g.waiters.push(r));
  g.active++;
  let over = false;
  const release = () => {
    if (over) return;
    over = true;
    g.active--;
    if (g.active < g.limit) g.waiters.shift()?.();
    if (g.active === 0 && g.waiters.length === 0 && g.limit === HANDSHAKES_PER_SERVER) gates.delete(key);
  };
  return {
    done(ok) {
      if (ok && !over) g.limit = Math.min(HANDSHAKES_PER_SERVER, g.limit + 1);
      release();
    },
    refused() {
      if (!over) g.limit = Math.max(1, Math.min(g.limit, g.active) - 1);
      release();
    },
  };
}

/** A connection the server dropped before the handshake (MaxStartups, or a firewall doing the same). */
export function droppedBeforeHandshake(err: Error & { code?: string }): boolean {
  return /before handshake|kex_exchange_identification/i.test(err.message ?? '') || err.code === 'ECONNRESET';
}

/** The delay before handshake retry `n` (from 0): short, growing, jittered so a burst spreads out. */
export function handshakeRetryDelay(n: number): number {
  return Math.min(2000, 100 * 2 ** n) * (0.5 + Math.random());
}

/** How many quiet retries a dropped handshake gets before the host is reported down. */
export const HANDSHAKE_RETRIES = 8;
