import { z } from 'zod';

// Graph sends numbers as strings; minor-unit money must stay integral, so it becomes a bigint.
const numericString = z.union([z.string(), z.number()]).transform((value, context) => {
  const n = Number(value);
  if (!Number.isFinite(n)) {
    context.addIssue({ code: 'custom', message: `expected a number, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return n;
});
const minorUnits = z
  .union([z.string().regex(/^-?\d+$/, 'expected an integer amount in minor units'), z.number().int()])
  .transform((value) => BigInt(value));

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: numericString.optional(),
});

export const debugTokenSchema = z.object({
  data: z.object({
    app_id: z.string().optional(),
    type: z.string().optional(),
    user_id: z.string().optional(),
    is_valid: z.boolean(),
    // 0 means the token does not expire (system users).
    expires_at: numericString.optional(),
    data_access_expires_at: numericString.optional(),
    scopes: z.array(z.string()).default([]),
    error: z.object({ message: z.string().optional(), code: z.number().optional() }).optional(),
  }),
});

export const adAccountSchema = z.object({
  id: z.string().regex(/^act_\d+$/, 'expected act_<digits>'),
  account_id: z.string().optional(),
  name: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code'),
  timezone_name: z.string().optional(),
  account_status: z.number().int().optional(),
  disable_reason: z.number().int().optional(),
  spend_cap: minorUnits.optional(),
  amount_spent: minorUnits.optional(),
  balance: minorUnits.optional(),
});
export type GraphAdAccount = z.infer<typeof adAccountSchema>;

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  objective: z.string().optional(),
  status: z.string().optional(),
  effective_status: z.string().optional(),
  daily_budget: minorUnits.optional(),
  lifetime_budget: minorUnits.optional(),
});
export type GraphCampaign = z.infer<typeof campaignSchema>;

export const adSetSchema = z.object({
  id: z.string(),
  name: z.string(),
  campaign_id: z.string(),
  status: z.string().optional(),
  effective_status: z.string().optional(),
  daily_budget: minorUnits.optional(),
  lifetime_budget: minorUnits.optional(),
  learning_stage_info: z
    .object({
      status: z.string().optional(),
      conversions: numericString.optional(),
      last_sig_edit_ts: numericString.optional(),
    })
    .optional(),
  targeting: z.record(z.string(), z.unknown()).optional(),
});
export type GraphAdSet = z.infer<typeof adSetSchema>;

export const adSchema = z.object({
  id: z.string(),
  name: z.string(),
  adset_id: z.string(),
  campaign_id: z.string().optional(),
  status: z.string().optional(),
  effective_status: z.string().optional(),
  creative: z.object({ id: z.string() }).optional(),
});
export type GraphAd = z.infer<typeof adSchema>;

// Insight rows arrive by the hundred thousand: validated as the strings Meta sends, converted (and
// checked) by the mapper, because per-field transforms cost more than the rest of the sync.
const actionStat = z.object({ action_type: z.string(), value: z.string() });
const countString = z.string();

export const insightRowSchema = z.object({
  campaign_id: z.string().optional(),
  adset_id: z.string().optional(),
  ad_id: z.string().optional(),
  date_start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  date_stop: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  spend: z.string().optional(),
  impressions: countString.optional(),
  reach: countString.optional(),
  inline_link_clicks: countString.optional(),
  actions: z.array(actionStat).optional(),
  action_values: z.array(actionStat).optional(),
  attribution_setting: z.string().optional(),
});
export type GraphInsightRow = z.infer<typeof insightRowSchema>;

export const reportRunSchema = z.object({
  id: z.string(),
  async_status: z.string(),
  async_percent_completion: numericString.optional(),
  error_message: z.string().optional(),
});

export const reportRunCreatedSchema = z.object({ report_run_id: z.string() });
export const successSchema = z.object({ success: z.literal(true) });

/** `POST /{ad_id}/copies` (meta-graph-api.md 7.2). */
export const adCopySchema = z.object({ copied_ad_id: z.string() });
