/**
 * Rebuilding a path by replay (TLC's and Stateright's technique, after Yu, Manolios and Lamport): the store keeps
 * only each state's parent index and the index of the action that reached it, so a trace is the chain of action
 * indexes from an initial state, replayed through the model.
 *
 * With symmetry reduction the stored states are representatives. The replay then follows the concrete states, as
 * TLC does: from the concrete state it has reached, it takes the first action whose successor has the same
 * representative as the stored one, so the trace is a real behaviour of the model. If none does (the model's
 * `representative` is not a true symmetry), it falls back to the stored representatives and says so.
 */
import { ByteBuffer } from './bytes.ts';
import type { Model } from './model.ts';
import { NO_PARENT, type StateLinks } from './store.ts';
import type { Trace, TraceStep } from './types.ts';

/** A replayed path, with any doubt about it. */
export interface ReplayedPath<S, A> {
  readonly trace: Trace<S, A>;
  /** Set when the replay could not follow the stored path exactly (a non-symmetric `representative`). */
  readonly warning?: string;
}

/** Action indexes from the initial state to state `index`: `[initIndex, a1, a2, ...]`. */
export function pathIndexes(links: StateLinks, index: number): number[] {
  const chain: number[] = [];
  let x = index;
  for (;;) {
    chain.push(links.action[x]!);
    const p = links.parent[x]!;
    if (p === NO_PARENT) break;
    x = p;
  }
  return chain.reverse();
}

/**
 * Replays the path to state `index`. `symmetry` says whether the search used `model.representative`.
 * Throws when an action index does not replay (the model is not deterministic: a bug in the model).
 */
export function rebuildTrace<S, A>(model: Model<S, A>, links: StateLinks, index: number, symmetry: boolean): ReplayedPath<S, A> {
  return replayIndexes(model, pathIndexes(links, index), symmetry);
}

/** Replays a chain of action indexes (see pathIndexes). */
export function replayIndexes<S, A>(model: Model<S, A>, chain: readonly number[], symmetry: boolean): ReplayedPath<S, A> {
  const rep = symmetry && model.representative ? model.representative.bind(model) : undefined;
  const inits = model.initStates();
  const init = inits[chain[0]!];
  if (init === undefined) throw new Error(`replay: initial state ${chain[0]} does not exist (the model is not deterministic)`);
  const steps: TraceStep<S, A>[] = [];
  let stored = rep ? rep(init) : init;
  let concrete: S | undefined = init;
  let warning: string | undefined;
  const a = new ByteBuffer();
  const b = new ByteBuffer();
  for (let d = 1; d < chain.length; d++) {
    const acts = model.actions(stored);
    const act = acts[chain[d]!];
    const next = act === undefined ? undefined : model.nextState(stored, act);
    if (act === undefined || next === undefined) {
      throw new Error(`replay: action ${chain[d]} at depth ${d - 1} is not enabled any more (the model is not deterministic)`);
    }
    const nextStored = rep ? rep(next) : next;
    if (!rep) {
      steps.push({ action: act, state: next });
      stored = nextStored;
      continue;
    }
    // Follow the concrete state: the first action whose successor has the same representative.
    let found: TraceStep<S, A> | undefined;
    if (concrete !== undefined) {
      a.reset();
      model.encode(nextStored, a);
      const want = a.view();
      for (const ca of model.actions(concrete)) {
        const cn = model.nextState(concrete, ca);
        if (cn === undefined) continue;
        b.reset();
        model.encode(rep(cn), b);
        if (equalBytes(want, b.view())) {
          found = { action: ca, state: cn };
          break;
        }
      }
    }
    if (found) {
      steps.push(found);
      concrete = found.state;
    } else {
      warning ??= `replay: no concrete successor matches the stored representative at depth ${d}: the trace from there shows representatives (is canonicalize a symmetry of the model?)`;
      steps.push({ action: act, state: nextStored });
      concrete = undefined;
    }
    stored = nextStored;
  }
  return { trace: { init, steps }, ...(warning ? { warning } : {}) };
}

function equalBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
