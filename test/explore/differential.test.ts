/**
 * Differential tests: on each small machine, the full reachable graph of the compiled model (states, enabled
 * (state, event) pairs with their successors, final states) equals a BFS over xstate's own transition(), and agrees
 * with @xstate/graph's getAdjacencyMap on every (state, event) pair.
 */
import { describe, expect, it } from 'vitest';
import { compileMachine, type MachineState } from '../../src/explore/compile.ts';
import { safeJson } from '../../src/explore/machine/guards.ts';
import { fixtures } from './machines/small.ts';
import { adjacencyDifferences, compiledGraph, graphDifferences, referenceGraph } from './machines/reference.ts';

describe('compiled graph equals a BFS over xstate transition()', () => {
  it('has at least 25 fixture machines', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
  });

  for (const f of fixtures) {
    it(f.name, () => {
      const compiled = compileMachine(f.machine, { allowFallback: false });
      expect(compiled.mode).toBe('compiled');
      const ref = referenceGraph(f.machine, f.events);
      const got = compiledGraph(compiled, f.events);
      const show = (k: string): string => {
        const s: { value: unknown; context: unknown } | undefined = got.states.get(k) ?? ref.snapshots.get(k);
        return s ? safeJson({ value: s.value, context: s.context, history: (s as MachineState).historyValue }) : '?';
      };
      expect(graphDifferences(ref, got, show)).toEqual([]);
      expect(adjacencyDifferences(f.machine, f.events, got, show)).toEqual([]);
      // Non-vacuous: something is reachable beyond the initial state, and some event is enabled.
      expect(got.edges.size).toBeGreaterThan(1);
    });
  }
});
