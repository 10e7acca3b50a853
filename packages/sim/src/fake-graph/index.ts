// Public surface of the fake Graph API server (meta-graph-api.md sections 0 to 7 and 11).
export { startFakeGraph, type FakeGraphOptions, type FakeGraphServer } from './server.ts';
export {
  CONTROL_ROUTES,
  type AdvanceBy,
  type FakeGraphControl,
  type FakeGraphState,
  type GroundTruth,
  type IssueTokenOptions,
} from './control.ts';
export { FaultSpecError, faultSpecSchema, parseFaults, type FaultSpec } from './faults.ts';
export { ACCESS_TIERS, type AccessTier } from './usage.ts';
export { ATTRIBUTION_SETTING, type WriteLogEntry } from './graph-nodes.ts';
export { MAX_BATCH_SIZE } from './batch.ts';
export { BUDGET_CHANGES_PER_HOUR } from './writes.ts';
