/**
 * Public surface of the trace layer: the trace format (types.ts, the schema's source), loading and checking
 * trace files, replaying them through the kernel model, the conformance corpus, and their text rendering.
 * Nothing outside src/trace imports past this file.
 */
export type {
  Trace, TraceConfig, Step, StepOp, ExpectedResult, ReplayLine, ReplayStepLine, ReplaySummaryLine, ReplaySummary,
  ReplayResult, ReplayViolation, ReplayMismatch,
} from './types.ts';
export type { TraceInputError } from './errors.ts';
export type { LoadedTrace, LoadResult } from './load.ts';
export type { KernelApi, ReplayOptions, StepViolation, TraceReport } from './runner.ts';
export type { CorpusEntry, CorpusResult } from './corpus.ts';
export type { CorpusRow } from './format.ts';

export { loadTraceFile, loadTraceText, checkProfiles } from './load.ts';
export { replayTrace, checkBoot } from './runner.ts';
export { replayCorpus, findTraces, TRACE_SUFFIX } from './corpus.ts';
export { formatReport, formatSummary, formatCorpusTable, formatFailures } from './format.ts';
export { OP_NAMES } from './ops.ts';
export { KERNEL_API } from './kernelApi.ts';
export { SCHEMA_FILES } from './schemaFiles.ts';
