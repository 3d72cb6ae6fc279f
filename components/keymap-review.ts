// The key map's part for code proposals and the proposers' two sides: review keys (approve,
// reject with a note, edit in $EDITOR, scroll the pending diff), operator notes, the review mode,
// the params ⇄ code switch, and the two dialogs they open (a line of text; keep or drop the queue).
// Data only, like keymap.ts (which merges these in); what they do lives in use-keys.ts.
import type { Key } from 'ink';
import type { Binding, CommandContext, DialogCommandId } from './keymap.js';
import { reviewTarget } from './pending.js';

export type ReviewCommandId = 'approve' | 'reject' | 'edit' | 'pendingUp' | 'pendingDown' | 'note' | 'review' | 'side';

const ctrlC = (i: string, k: Key) => k.ctrl && i === 'c';

const needsCode = (cmd: string) => ({ s, t }: CommandContext) => (reviewTarget(s, t) ? null : `${cmd}: no code proposal is queued`);

/** Why the params ⇄ code switch cannot act: no configured proposer of the other side. */
export function sideDisabled({ s, proposers, sideOf }: CommandContext): string | null {
  const side = (n: string) => sideOf?.(n) ?? 'params';
  const to = side(s.proposer) === 'code' ? 'params' : 'code';
  if (proposers.some((p) => side(p) === to)) return null;
  return `no ${to} proposer is configured (have: ${proposers.map((p) => `${p} (${side(p)})`).join(', ')}): add one under proposer: (or use hybrid) to switch`;
}

export const REVIEW_KEYS: readonly Binding<ReviewCommandId>[] = [
  {
    id: 'approve',
    keys: ['a'],
    label: 'approve',
    description: 'approve the code proposal awaiting review (the one under the cursor, else the pending panel’s): it may run',
    category: 'review',
    disabled: (c) => needsCode('approve')(c) ?? (c.s.review === 'auto' ? 'review is auto: code proposals run without approval (v switches to manual)' : null),
    match: (i) => i === 'a',
  },
  {
    id: 'reject',
    keys: ['r'],
    label: 'reject',
    description: 'reject the code proposal, with a note for the model’s next prompts (may be empty)',
    category: 'review',
    disabled: needsCode('reject'),
    match: (i) => i === 'r',
  },
  {
    id: 'edit',
    keys: ['e'],
    label: 'edit',
    description: 'edit the code proposal’s diff in $EDITOR; what you save is what runs (journaled as your edit)',
    category: 'review',
    disabled: needsCode('edit'),
    match: (i) => i === 'e',
  },
  { id: 'pendingUp', keys: ['K'], label: 'diff up', description: 'scroll the pending diff up', category: 'review', match: (i) => i === 'K' },
  { id: 'pendingDown', keys: ['J'], label: 'diff down', description: 'scroll the pending diff down', category: 'review', match: (i) => i === 'J' },
  { id: 'note', keys: ['n'], label: 'note', description: 'type a note for every later prompt of the LLM proposers (“lr ≤ 3e-3”)', category: 'review', match: (i) => i === 'n' },
  {
    id: 'review',
    keys: ['v'],
    label: 'review',
    description: 'review mode auto ⇄ manual: under manual, code proposals wait for a, r or e',
    category: 'review',
    match: (i) => i === 'v',
  },
  {
    id: 'side',
    keys: ['S'],
    label: 'params⇄code',
    description: 'switch to the other side (params ⇄ code) for the next proposal; asks whether queued proposals are kept or dropped',
    category: 'steer',
    disabled: sideDisabled,
    match: (i) => i === 'S',
  },
];

const dialog = (id: DialogCommandId, keys: string[], label: string, description: string, match: Binding['match']): Binding<DialogCommandId> => ({
  id,
  keys,
  label,
  description,
  category: 'dialog',
  match,
});

/** A line of text: a note, or a rejection's note. */
export const INPUT_KEYS: readonly Binding<DialogCommandId>[] = [
  dialog('input.apply', ['Enter'], 'save', 'use the text', (_, k) => k.return),
  dialog('input.cancel', ['Esc'], 'cancel', 'do nothing', (i, k) => k.escape || ctrlC(i, k)),
  dialog('input.erase', ['Backspace'], 'erase', 'erase the last character', (_, k) => k.backspace || k.delete),
  dialog('input.type', ['any'], 'type', 'add the character', (i, k) => Boolean(i) && !k.ctrl && !k.meta),
];

/** The params ⇄ code switch: keep or drop the other side's queued proposals. */
export const SIDE_KEYS: readonly Binding<DialogCommandId>[] = [
  dialog('side.keep', ['k'], 'keep', 'switch, and keep the queued proposals (they run first)', (i) => i === 'k'),
  dialog('side.drop', ['d'], 'drop', 'switch, and drop the queued proposals of the side left', (i) => i === 'd'),
  dialog('side.cancel', ['Esc'], 'cancel', 'do not switch', (i, k) => k.escape || i === 'n' || ctrlC(i, k)),
];

export const REVIEW_KEY_BYTES: Readonly<Record<ReviewCommandId | 'input.apply' | 'input.cancel' | 'input.erase' | 'input.type' | 'side.keep' | 'side.drop' | 'side.cancel', string>> = {
  approve: 'a',
  reject: 'r',
  edit: 'e',
  pendingUp: 'K',
  pendingDown: 'J',
  note: 'n',
  review: 'v',
  side: 'S',
  'input.apply': '\r',
  'input.cancel': '\u001B',
  'input.erase': '\u007F',
  'input.type': 'a',
  'side.keep': 'k',
  'side.drop': 'd',
  'side.cancel': '\u001B',
};
