/**
 * The explorer's state of a compiled XState machine: what a snapshot is, as far as identity goes — the active
 * configuration (hence the state value), the history values and the context — and nothing else. Immutable; the
 * configuration and history records are interned and shared, so a state is three references and a flag.
 */
import { matchesState, type StateValue } from 'xstate';
import type { Configuration, HistoryRec } from './types.ts';

/** A machine state: `{ value, context }` for invariants and `events(state)`, plus the engine's own fields. */
export class MachineState {
  /** xstate's state value (frozen; shared by every state with the same configuration). */
  readonly value: StateValue;

  constructor(
    /** The active state nodes (engine-internal). */
    readonly config: Configuration,
    /** The history values (engine-internal). */
    readonly history: HistoryRec,
    /** The machine's context (never mutated by the engine). */
    readonly context: unknown,
    /** xstate `status === 'done'`: a top-level final state was reached; no event is enabled any more. */
    readonly done: boolean,
  ) {
    this.value = config.value;
  }

  /** xstate `snapshot.matches()`: is the state value `parent` or below it (`'a'`, `'a.b'`, `{ a: 'b' }`)? */
  matches(parent: StateValue): boolean {
    return matchesState(parent, this.value);
  }

  /** xstate `snapshot.hasTag()`: does an active state node carry `tag`? */
  hasTag(tag: string): boolean {
    return this.config.tags.has(tag);
  }

  /** xstate's `status` for this state. */
  get status(): 'active' | 'done' {
    return this.done ? 'done' : 'active';
  }

  /**
   * The history values as xstate keeps them in `snapshot.historyValue`, by history node id, with node ids in place
   * of state nodes, in document order (xstate keeps them in the order the nodes were entered).
   */
  get historyValue(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const { slots, historyNodes } = this.history;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s) out[historyNodes[i]!.id] = s.map((n) => n.id);
    }
    return out;
  }
}
