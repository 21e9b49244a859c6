/** Random runs of the lifecycle statecharts (issue 6): the engine, the wider S4 VMM, the worlds. */
export type { RandomModel, RandomOptions, RandomResult, RandomFailure, Run, RunEnd, RunInput, ReplayCheck } from './engine.ts';
export { randomRuns, walk, pick, runInput, formatFailure } from './engine.ts';
export { s4WideVmm, withWideVmm } from './s4Wide.ts';
export type { S4Variant, S4World } from './worlds.ts';
export { adversarialIds, s4Environment, s4Model, s4WorldName, S4_CALL_GROUPS, S4_HARDENED_FINDINGS } from './worlds.ts';
