import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { loadSearchSpec, ModelShapeError, specFromExport } from '../../src/explore/loadModel.ts';
import { FIXTURE_SPECS } from './fixtures/specs.ts';

const NAIVE_LOCK = new URL('./fixtures/modules/naiveLock.model.ts', import.meta.url).pathname;

async function shapeError(value: unknown): Promise<string> {
  const err = await specFromExport(value, '/m.ts').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ModelShapeError);
  return (err as ModelShapeError).message;
}

describe('loadSearchSpec', () => {
  it('loads a model module (default export) and compiles it', async () => {
    const spec = await loadSearchSpec({ module: NAIVE_LOCK });
    expect(Object.keys(spec.invariants)).toEqual(['mutualExclusion']);
    expect(spec.checkDeadlock).toBe(true);
    expect(spec.model.initStates()).toHaveLength(1);
  });

  it('loads a named factory export with arguments (how worker threads get hand-written models)', async () => {
    const spec = await loadSearchSpec({ module: FIXTURE_SPECS, export: 'chain', args: [3, true, false] });
    expect(spec.checkDeadlock).toBe(false);
    expect(spec.model.isFinal(3)).toBe(true);
  });

  it('refuses a relative path and a missing export', async () => {
    await expect(loadSearchSpec({ module: 'x.ts' })).rejects.toThrow(/must be absolute/);
    await expect(loadSearchSpec({ module: FIXTURE_SPECS, export: 'nope' })).rejects.toThrow(/export nope: no such export/);
  });
});

describe('specFromExport: shape errors name the field', () => {
  const machine = createMachine({ initial: 'a', states: { a: {} } });
  it('machine', async () => {
    expect(await shapeError({ events: [], invariants: {} })).toBe('/m.ts: machine: missing (an XState v5 machine from createMachine or setup().createMachine)');
    expect(await shapeError({ machine: 'm', events: [], invariants: {} })).toMatch(/^\/m\.ts: machine: expected an XState v5 machine .*got the string "m"$/);
  });
  it('events, invariants and options (checked by the compiler, reported with the file)', async () => {
    expect(await shapeError({ machine, invariants: {} })).toMatch(/^\/m\.ts: events: missing/);
    expect(await shapeError({ machine, events: 3, invariants: {} })).toMatch(/^\/m\.ts: events: /);
    expect(await shapeError({ machine, events: [], invariants: { a: 1 } })).toMatch(/^\/m\.ts: invariants\.a: expected a predicate/);
    expect(await shapeError({ machine, events: [], invariants: { deadlock: () => true } })).toMatch(/invariants\.deadlock: the name "deadlock" is reserved/);
    expect(await shapeError({ machine, events: [], invariants: {}, options: { maxStates: -1 } })).toMatch(/^\/m\.ts: options\.maxStates: /);
  });
  it('a non-object export', async () => {
    expect(await shapeError(42)).toBe('/m.ts: export default: expected an object { machine, events, invariants }, got a number');
  });
  it('module options become the spec: checkDeadlock and bounds', async () => {
    const spec = await specFromExport({ machine, events: [], invariants: {}, options: { checkDeadlock: false, maxDepth: 3 } }, '/m.ts');
    expect(spec.checkDeadlock).toBe(false);
    expect(spec.bounds).toEqual({ maxDepth: 3 });
  });
});
