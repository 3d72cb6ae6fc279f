// The store: the one place state lives at run time. The engine appends an event to the journal and
// hands it here; readers (TUI, headless printer) subscribe. Readers never write.
import type { NightshiftEvent } from './events.js';
import { fold, initialState, type CampaignState } from './state.js';

export type Listener = (event: NightshiftEvent, state: CampaignState) => void;

export class Store {
  private state: CampaignState;
  private listeners = new Set<Listener>();

  constructor(initial: CampaignState = initialState()) {
    this.state = initial;
  }

  getState = (): CampaignState => this.state;

  apply(event: NightshiftEvent): void {
    this.state = fold(this.state, event);
    for (const l of this.listeners) l(event, this.state);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
