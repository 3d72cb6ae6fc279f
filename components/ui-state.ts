// UI state (selection, mode, dialogs, filter) in one reducer with typed actions. Campaign state is
// never kept here: it comes from the store.
// The mode names the layer keys go to first (keymap.ts): the table, an overlay, or a dialog.
import type { TableCommandId } from './keymap.js';

export type Mode = 'table' | 'detail' | 'help' | 'filter' | 'confirm' | 'switch' | 'quit';

export interface Confirm {
  /** A dangerous command (keymap.ts), run on trial `id` when the operator says yes. */
  command: TableCommandId;
  id: number;
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
};

export type UiAction =
  | { type: 'select'; id: number | null }
  | { type: 'mode'; mode: Mode }
  | { type: 'confirm'; confirm: Confirm }
  | { type: 'draft'; text: string }
  | { type: 'applyFilter' }
  | { type: 'switchIndex'; index: number }
  | { type: 'message'; message: Message | null }
  | { type: 'scroll'; delta: number; max: number };

export function uiReducer(s: UiState, a: UiAction): UiState {
  switch (a.type) {
    case 'select':
      return s.selected === a.id ? s : { ...s, selected: a.id, scroll: 0 };
    case 'mode':
      return {
        ...s,
        mode: a.mode,
        confirm: a.mode === 'confirm' ? s.confirm : null,
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
  }
}
