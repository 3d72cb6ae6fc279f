// UI state (selection, mode, dialogs, filter) in one reducer with typed actions. Campaign state is
// never kept here: it comes from the store.
// The mode names the layer keys go to first (keymap.ts): the table, an overlay, or a dialog.
import type { TableCommandId } from './keymap.js';

export type Mode = 'table' | 'detail' | 'help' | 'filter' | 'confirm' | 'switch' | 'quit' | 'input' | 'side';

export interface Confirm {
  /** A dangerous command (keymap.ts), run on trial `id` when the operator says yes. */
  command: TableCommandId;
  id: number;
  question: string;
}

/** A line of text being typed: an operator note, or the note a rejection carries to the model. */
export interface TextInput {
  kind: 'note' | 'reject';
  /** The proposal a rejection is for. */
  id?: number;
  text: string;
}

/** The params ⇄ code question: what the switch does, asked before it keeps or drops the queue. */
export interface SideQuestion {
  question: string;
}

export interface Message {
  text: string;
  tone: 'good' | 'bad' | 'normal';
}

export interface UiState {
  mode: Mode;
  /** The selected trial, by id (rows move; the selection follows the trial). */
  selected: number | null;
  filter: string;
  draft: string;
  confirm: Confirm | null;
  switchIndex: number;
  message: Message | null;
  /** First row shown by the help or detail view. */
  scroll: number;
  input: TextInput | null;
  side: SideQuestion | null;
  /** The pending panel's first diff row, for trial `for` (another trial there starts at the top). */
  pending: { for: number; scroll: number };
}

export const initialUi: UiState = {
  mode: 'table',
  selected: null,
  filter: '',
  draft: '',
  confirm: null,
  switchIndex: 0,
  message: null,
  scroll: 0,
  input: null,
  side: null,
  pending: { for: 0, scroll: 0 },
};

export type UiAction =
  | { type: 'select'; id: number | null }
  | { type: 'mode'; mode: Mode }
  | { type: 'confirm'; confirm: Confirm }
  | { type: 'draft'; text: string }
  | { type: 'applyFilter' }
  | { type: 'switchIndex'; index: number }
  | { type: 'message'; message: Message | null }
  | { type: 'scroll'; delta: number; max: number }
  | { type: 'input'; input: TextInput }
  | { type: 'side'; side: SideQuestion }
  | { type: 'pendingScroll'; id: number; delta: number; max: number };

export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'select':
      return s.selected === a.id ? s : { ...s, selected: a.id, scroll: 0 };
    case 'mode':
      return {
        ...s,
        mode: a.mode,
        confirm: a.mode === 'confirm' ? s.confirm : null,
        input: a.mode === 'input' ? s.input : null,
        side: a.mode === 'side' ? s.side : null,
        draft: a.mode === 'filter' ? s.filter : s.draft,
        scroll: a.mode === 'detail' || a.mode === 'help' ? 0 : s.scroll,
      };
    case 'confirm':
      return { ...s, mode: 'confirm', confirm: a.confirm };
    case 'draft':
      return { ...s, draft: a.text };
    case 'applyFilter':
      return { ...s, filter: s.draft, mode: 'table' };
    case 'switchIndex':
      return { ...s, switchIndex: a.index };
    case 'message':
      return { ...s, message: a.message };
    case 'scroll':
      return { ...s, scroll: Math.max(0, Math.min(a.max, s.scroll + a.delta)) };
    case 'input':
      return { ...s, mode: 'input', input: a.input };
    case 'side':
      return { ...s, mode: 'side', side: a.side };
    case 'pendingScroll': {
      const from = s.pending.for === a.id ? s.pending.scroll : 0;
      return { ...s, pending: { for: a.id, scroll: Math.max(0, Math.min(a.max, from + a.delta)) } };
    }
  }
}
