// What the TUI may ask of the engine, and how the operator chose to leave.
import type { CommandResult } from '../src/engine/engine.js';

export interface Controls {
  pause(reason?: string): CommandResult;
  resumeDispatch(reason?: string): CommandResult;
  stopTrial(id: number, mode: 'prune' | 'kill', reason?: string): CommandResult;
  promote(id: number, reason?: string): CommandResult;
  reorder(id: number, delta: number, reason?: string): CommandResult;
  drop(id: number, reason?: string): CommandResult;
  switchProposer(name: string, reason?: string): CommandResult;
  availableProposers(): string[];
  tail(id: number, n?: number): string[];
  completed(): Array<ReadonlyMap<number, number>>;
}

export type QuitChoice = 'stop' | 'leave' | 'finished';
