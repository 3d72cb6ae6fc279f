// The TUI's view of the store: snapshots at most every THROTTLE_MS, read with useSyncExternalStore.
// A chatty campaign emits hundreds of events a second; React sees at most 4 states a second (metric
// batches arrive every 250 ms anyway). Keys are not throttled: they re-render at once.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { CampaignState } from '../src/state.js';
import type { Store } from '../src/store.js';

export const THROTTLE_MS = 250;

export class ThrottledSnapshots {
  private snapshot: CampaignState;
  private listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly store: Store, private readonly intervalMs = THROTTLE_MS) {
    this.snapshot = store.getState();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.unsubscribe) this.unsubscribe = this.store.subscribe(() => this.schedule());
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.dispose();
    };
  };

  getSnapshot = (): CampaignState => this.snapshot;

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.publish();
    }, this.intervalMs);
  }

  /** Publishes the store's current state now (also used by tests to skip the wait). */
  publish(): void {
    const next = this.store.getState();
    if (next === this.snapshot) return;
    this.snapshot = next;
    for (const l of this.listeners) l();
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export function useCampaign(source: ThrottledSnapshots): CampaignState {
  return useSyncExternalStore(source.subscribe, source.getSnapshot, source.getSnapshot);
}

/** Wall-clock time, refreshed every `everyMs` (for "found 3m ago" and the elapsed budget). */
export function useNow(everyMs = 1000, clock: () => number = Date.now): number {
  const [now, setNow] = useState(clock);
  useEffect(() => {
    const t = setInterval(() => setNow(clock()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, clock]);
  return now;
}
