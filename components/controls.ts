// What the TUI may ask of the engine, and how the operator chose to leave.
import type { CommandResult } from '../src/engine/engine.js';
import type { ProposerSide } from '../src/types.js';

export interface Controls {
  pause(reason?: string): CommandResult;
  resumeDispatch(reason?: string): CommandResult;
  stopTrial(id: number, mode: 'prune' | 'kill', reason?: string): CommandResult;
  promote(id: number, reason?: string): CommandResult;
  reorder(id: number, delta: number, reason?: string): CommandResult;
  drop(id: number, reason?: string): CommandResult;
  switchProposer(name: string, reason?: string): CommandResult;
  approve(id: number, reason?: string): CommandResult;
  reject(id: number, note?: string): CommandResult;
  editDiff(id: number, diff: string, reason?: string): CommandResult;
  addNote(text: string): CommandResult;
  setReview(mode: 'auto' | 'manual'): CommandResult;
  /** Params ⇄ code: to the first configured proposer of the other side. */
  switchSide(dropQueued: boolean, reason?: string): CommandResult;
  availableProposers(): string[];
  proposerSide(name: string): ProposerSide;
  tail(id: number, n?: number): string[];
  completed(): Array<ReadonlyMap<number, number>>;
}

export type QuitChoice = 'stop' | 'leave' | 'finished';
