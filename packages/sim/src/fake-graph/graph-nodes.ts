// The Graph objects the fake serves, as plain records the account and the writes mutate.
import type { AudienceType } from '../scenarios/schema.ts';

export const OBJECT_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DELETED'] as const;
export type ObjectStatus = (typeof OBJECT_STATUSES)[number];

export type CampaignNode = {
  kind: 'campaign';
  id: string;
  name: string;
  status: ObjectStatus;
  /** Set only on a CBO ("Advantage campaign budget") campaign. */
  dailyBudgetCents: number | null;
  createdMs: number;
  updatedMs: number;
  adSetIds: string[];
};

export type AdSetNode = {
  kind: 'adset';
  id: string;
  name: string;
  campaignId: string;
  status: ObjectStatus;
  /** Null inside a CBO campaign. */
  dailyBudgetCents: number | null;
  audienceType: AudienceType;
  targeting: Record<string, unknown>;
  /** Index of the market ad set that delivers for this node; null for copies, which never deliver. */
  marketIndex: number | null;
  /** Relative share of the campaign budget when the campaign is CBO. */
  cboWeight: number;
  createdMs: number;
  updatedMs: number;
  adIds: string[];
  /** Simulated instants of accepted budget changes, for the 4-per-hour limit. */
  budgetChanges: number[];
  budgetBlockedUntilMs: number;
  copiedFrom: string | null;
};

export type AdNode = {
  kind: 'ad';
  id: string;
  name: string;
  adSetId: string;
  status: ObjectStatus;
  creativeId: string;
  marketIndex: readonly [number, number] | null;
  createdMs: number;
  updatedMs: number;
  copiedFrom: string | null;
};

export type CreativeNode = { kind: 'creative'; id: string; name: string; title: string; body: string };

export type AudienceNode = {
  kind: 'audience';
  id: string;
  name: string;
  subtype: 'WEBSITE' | 'LOOKALIKE';
  description: string;
  retentionDays: number | null;
  lookalike: { ratio: number; country: string; originId: string; originName: string } | null;
};

export type WriteLogEntry = {
  simTime: string;
  day: number;
  method: string;
  path: string;
  objectId: string;
  params: Record<string, string>;
  outcome: 'ok' | 'error';
  error?: { code: number; subcode?: number; message: string };
};

/** Attribution setting every ad set reports: the market's lag is a 7-day-click window (plus a modelled 1-day view share). */
export const ATTRIBUTION_SETTING = '7d_click_1d_view';
