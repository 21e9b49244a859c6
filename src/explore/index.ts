/**
 * The explorer's public surface (style.md: one explicit index, types listed apart). Nothing outside src/explore
 * imports past this file.
 */
export { searchBfs } from './bfs.ts';
export { defaultWorkers, searchSource, searchSpecFrom } from './workers.ts';
export { loadSearchSpec, ModelShapeError } from './loadModel.ts';
export { compileMachine, compileModelModule, formatEvent, MachineState, ModelModuleError } from './compile.ts';
export { MacrostepLimitError, OrderDependenceError, UnsupportedFeatureError } from './compile.ts';
export { defineModel } from './defineModel.ts';
export { ModelRunError } from './errors.ts';
export { DEADLOCK } from './types.ts';
export { ByteBuffer, ByteReader } from './bytes.ts';
export { CanonicalValueError, decodeCanonical, encodeCanonical } from './canonical.ts';
export { collisionProbability, fingerprintOf } from './fingerprint.ts';
export { formatSearchReport, formatTrace, searchReportJson, stateJson, toJson } from './verdict.ts';

export type { ByteSink, ByteSource, ExploreModelOptions, Model, ModelModule, StatePredicate, StepObserver } from './model.ts';
export type {
  BoundKind,
  BoundReport,
  CoverageCounts,
  CoverageTable,
  CoverageWitness,
  Progress,
  SearchOptions,
  SearchResult,
  SearchSpec,
  SearchStats,
  Trace,
  TraceStep,
  Violation,
} from './types.ts';
export type { CompiledMachine, CompiledModel, CompileOptions, GuardInfo, NodeKind, StateNodeInfo, TransitionInfo } from './compile.ts';
export type { ModelDefinition, ModelState } from './defineModel.ts';
export type { ModelSource } from './loadModel.ts';
export type { WorkerSearchOptions } from './workers.ts';
export type { Fingerprint } from './fingerprint.ts';
export type { SearchReportJson, SearchTiming, ViolationJson } from './verdict.ts';
