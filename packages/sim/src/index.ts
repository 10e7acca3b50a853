// Public API of @roas/sim: the seeded ad market, its scenarios, the reference policies and the benchmark.
export { hashName, Rng, rngFor, STREAMS } from './random/prng.ts';
export {
  logFactorial,
  normalQuantile,
  sampleFromCdf,
  sampleGamma,
  sampleLognormal,
  sampleLogUniform,
  sampleNegativeBinomial,
  sampleNormal,
  sampleOrderValue,
  samplePoisson,
  sampleUniform,
  type WhaleTail,
} from './random/samplers.ts';

export {
  AUDIENCE_TYPES,
  LAG_DAYS,
  LAG_PROFILES,
  scenarioSchema,
  type AudienceParams,
  type AudienceType,
  type LagProfile,
  type LagProfileName,
  type Scenario,
  type ScenarioEffects,
  type ScenarioInput,
} from './scenarios/schema.ts';
export {
  isPresetName,
  loadScenario,
  parseScenario,
  PRESET_NAMES,
  ScenarioError,
  type PresetName,
  type ScenarioIssue,
} from './scenarios/load.ts';

export { Market, splitCents, type MarketTruthView } from './market/market.ts';
export { accountMeanOrderValue, adId, adSetId } from './market/latent.ts';
export { delayCdf, lagCompleteness, OUTSIDE_WINDOW } from './market/lag.ts';
export { learningMultiplier, toGraphLearningStatus } from './market/learning.ts';
export { formatCents, rowToMetricTotals } from './market/report.ts';
export {
  AD_SET_STATUSES,
  LEARNING_STAGES,
  type AdLatent,
  type AdObservation,
  type AdSetDayTruth,
  type AdSetDecision,
  type AdSetLatent,
  type AdSetObservation,
  type AdSetStatus,
  type DriftEvent,
  type ExpectedDay,
  type LearningInfo,
  type LearningStage,
  type Observation,
  type ReportedRow,
} from './market/types.ts';

export type { AnyPolicy, OraclePolicy, Policy, PolicyContext, PolicyFactory } from './policies/types.ts';
export { createEnginePolicy, type EnginePolicyOptions } from './policies/engine.ts';
export { createEqualPolicy } from './policies/equal.ts';
export { createRulesPolicy, DEFAULT_RULES_OPTIONS, type RulesOptions } from './policies/rules.ts';
export { createGreedyPolicy, DEFAULT_GREEDY_OPTIONS, type GreedyOptions } from './policies/greedy.ts';
export { createOraclePolicy, DEFAULT_ORACLE_OPTIONS, type OracleOptions } from './policies/oracle.ts';
export {
  createPolicy,
  DEFAULT_POLICIES,
  isPolicyName,
  POLICY_FACTORIES,
  type PolicyName,
} from './policies/registry.ts';
export { lastDays, sumRows, windowRoas, type WindowTotals } from './policies/windows.ts';

export { policyContext, runPolicy, simulate } from './runner/simulate.ts';
export { computeRunMetrics, type RunMetrics } from './runner/metrics.ts';
export { gapClosedInterval, summarise, type Interval, type PolicySummary } from './runner/aggregate.ts';
export {
  runBenchmark,
  type BenchmarkOptions,
  type BenchmarkProgress,
  type BenchmarkResult,
} from './runner/benchmark.ts';

export { simulateModelData, type ModelData, type ModelDataTask } from './ml/model-data.ts';
export { generateModelData, type ModelDataJob, type ModelDataResult } from './ml/model-data-runner.ts';
export { parseEvidenceModels } from './ml/engine-models.ts';
