/**
 * Coverage (issue 7), public surface: the universe of a statechart and of the kernel model, the sources (an
 * exploration with `observe`, the conformance corpus), merging them into one report, the terminal summary, the HTML
 * report. Nothing outside src/coverage imports past this file.
 */
export { machineUniverse, RULE_ITEMS, transitionId, NOT_MODELLED_REASON } from './universe.ts';
export { coverageSource, coverageSpec, loadCoverageTarget, targetOfModule, CoverageTargetError, COVERAGE_MODEL_MODULE } from './coverageModel.ts';
export { corpusSource, explorationSource, exploreTarget, DEFAULT_GRAPH_CAP } from './sources.ts';
export { graphPass } from './graph.ts';
export { randomSource, s4RandomSource, S4_RANDOM_WORLDS, RANDOM_MAX_STEPS } from './random.ts';
export { CoverageExclusionError, readDeclaration } from './exclusions.ts';
export type { RandomSourceInfo, S4RandomOptions } from './random.ts';
export type { DeclaredExclusions } from './exclusions.ts';
export { DIMENSIONS, STATUSES, formatCountsTable, formatSummary, mergeSources } from './report.ts';
export { writeHtmlReport } from './html.ts';

export type { MachineUniverse, UniverseItem, PhaseStructure } from './universe.ts';
export type { CoverageTarget, TargetDescriptor } from './coverageModel.ts';
export type { ExplorationOptions, ItemOutcome, SourceResult } from './sources.ts';
export type { GraphResult, GraphWitness, GraphOptions } from './graph.ts';
export type {
  CoverageDeclaration,
  CoverageDimension,
  CoverageExclusion,
  CoverageItem,
  CoverageReport,
  CoverageSourceSummary,
  CoverageStatus,
  CoverageWitness,
  DimensionCounts,
  DimensionName,
  ItemKind,
} from './types.ts';
