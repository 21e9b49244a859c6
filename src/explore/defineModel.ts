/**
 * `defineModel()`: the typed way to write a model module (README "The model module"). It returns its argument
 * unchanged; a plain object with the same fields works as well. Typing `events` and `invariants` from the machine
 * catches a misspelt event type or context field at compile time.
 */
import type { AnyStateMachine, ContextFrom, EventFromLogic, StateValue } from 'xstate';
import type { ExploreModelOptions } from './model.ts';

/** What invariants, `events(state)` and `canonicalize` receive: the machine's state value and context. */
export interface ModelState<TMachine extends AnyStateMachine> {
  readonly value: StateValue;
  readonly context: ContextFrom<TMachine>;
}

/** A model module for `handover explore`: a machine, the candidate events, and named invariants. */
export interface ModelDefinition<TMachine extends AnyStateMachine> {
  readonly machine: TMachine;
  /** Candidate events, in the order traces prefer them: a list, or a function of the state. */
  readonly events: readonly EventFromLogic<TMachine>[] | ((state: ModelState<TMachine>) => readonly EventFromLogic<TMachine>[]);
  /** Named predicates that must hold in every reachable state (`true` = holds). `deadlock` is reserved. */
  readonly invariants: Readonly<Record<string, (state: ModelState<TMachine>) => boolean>>;
  readonly options?: ExploreModelOptions<ModelState<TMachine>>;
}

/** Returns `model` as it is, typed against its machine. */
export function defineModel<TMachine extends AnyStateMachine>(model: ModelDefinition<TMachine>): ModelDefinition<TMachine> {
  return model;
}
