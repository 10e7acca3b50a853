import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Cron } from 'croner';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** True for a five-field cron expression (minute hour day-of-month month day-of-week) croner can parse. */
export function isCronExpression(text: string): boolean {
  if (text.trim().split(/\s+/).length !== 5) return false;
  try {
    new Cron(text, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  on: true,
  off: false,
};

const cronSchema = (fallback: string) =>
  z
    .string()
    .trim()
    .refine(isCronExpression, 'must be a cron expression of 5 fields (minute hour day month weekday), in UTC')
    .default(fallback);

/** Settings that come from outside: environment first, then `roas.config.yaml`, then these defaults. */
const configSchema = z
  .object({
    home: z.string().min(1).default('./.roas'),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
    environment: z.enum(['development', 'production', 'test']).default('development'),
    // 0 lets the system pick a free port (the server prints the one it got).
    port: z.coerce.number().int().min(0).max(65535).default(8000),
    host: z.string().min(1).default('127.0.0.1'),
    secretKey: z.string().min(16, 'must be at least 16 characters').optional(),
    metaAppId: z.string().regex(/^\d+$/, 'must be the numeric app id').optional(),
    metaAppSecret: z.string().min(1).optional(),
    metaRedirectUri: z.url('must be a full URL').optional(),
    metaGraphUrl: z.url('must be a full URL').default('https://graph.facebook.com'),
    metaDialogUrl: z.url('must be a full URL').default('https://www.facebook.com'),
    metaApiVersion: z
      .string()
      .regex(/^v\d+\.\d+$/, 'must look like v26.0')
      .default('v26.0'),
    adminPassword: z
      .string()
      .min(12, 'must be at least 12 characters')
      .max(1024, 'must be at most 1024 characters')
      .optional(),
    slackWebhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    // Where people open the dashboard; Slack messages link there (default: http://HOST:PORT).
    publicUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    // Scheduled jobs (src/jobs): off leaves them to `roas worker enqueue` (tests, one-off runs).
    scheduler: z.enum(['on', 'off']).default('on'),
    syncCron: cronSchema('0 */6 * * *'),
    outcomesCron: cronSchema('0 */12 * * *'),
    healthCron: cronSchema('0 * * * *'),
    notifyCron: cronSchema('* * * * *'),
    trainCron: cronSchema('0 3 * * *'),
    // The learning models' evidence in decisions (services/models); `roas recommend --no-ml` for one run.
    mlEnabled: z
      .preprocess(
        (value) => (typeof value === 'string' ? (BOOLEAN_WORDS[value.trim().toLowerCase()] ?? value) : value),
        z.boolean({ error: 'must be true or false' }),
      )
      .default(true),
    // The Claude analyst (services/analyst): off without a key.
    anthropicApiKey: z.string().trim().min(1).optional(),
    anthropicBaseUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default('https://api.anthropic.com'),
    analystModel: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a model name such as claude-sonnet-5-5')
      .default('claude-sonnet-5-5'),
    analystPrompt: z
      .string()
      .regex(/^v\d+$/, 'must name a prompt file such as v1')
      .default('v1'),
    analystCostCapUsd: z.coerce
      .string()
      .regex(/^\d{1,9}(\.\d{1,9})?$/, 'must be an amount of US dollars such as 1.50')
      .default('1.00'),
    analystRequestsPerMinute: z.coerce.number().int().min(1).max(10_000).default(50),
    analystConcurrency: z.coerce.number().int().min(1).max(16).default(2),
    analystBatchSize: z.coerce.number().int().min(1).max(20).default(5),
    analystTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(60_000),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.environment === 'production' && config.secretKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['secretKey'],
        message: 'is required in production (tokens are encrypted with it)',
      });
    }
  });

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Environment variable for each key; the YAML file uses the key names themselves. */
export const ENV_KEYS = {
  home: 'ROAS_HOME',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'LOG_LEVEL',
  environment: 'NODE_ENV',
  port: 'PORT',
  host: 'HOST',
  secretKey: 'SECRET_KEY',
  metaAppId: 'META_APP_ID',
  metaAppSecret: 'META_APP_SECRET',
  metaRedirectUri: 'META_REDIRECT_URI',
  metaGraphUrl: 'META_GRAPH_URL',
  metaDialogUrl: 'META_DIALOG_URL',
  metaApiVersion: 'META_API_VERSION',
  adminPassword: 'ROAS_ADMIN_PASSWORD',
  slackWebhookUrl: 'SLACK_WEBHOOK_URL',
  publicUrl: 'PUBLIC_URL',
  scheduler: 'ROAS_SCHEDULER',
  syncCron: 'ROAS_SYNC_CRON',
  outcomesCron: 'ROAS_OUTCOMES_CRON',
  healthCron: 'ROAS_HEALTH_CRON',
  notifyCron: 'ROAS_NOTIFY_CRON',
  trainCron: 'ROAS_TRAIN_CRON',
  mlEnabled: 'ML_ENABLED',
  anthropicApiKey: 'ANTHROPIC_API_KEY',
  anthropicBaseUrl: 'ANTHROPIC_BASE_URL',
  analystModel: 'ANALYST_MODEL',
  analystPrompt: 'ANALYST_PROMPT',
  analystCostCapUsd: 'ANALYST_COST_CAP_USD',
  analystRequestsPerMinute: 'ANALYST_REQUESTS_PER_MINUTE',
  analystConcurrency: 'ANALYST_CONCURRENCY',
  analystBatchSize: 'ANALYST_BATCH_SIZE',
  analystTimeoutMs: 'ANALYST_TIMEOUT_MS',
} as const satisfies Record<keyof Config, string>;

const SECRET_KEYS: ReadonlySet<keyof Config> = new Set([
  'databaseUrl',
  'secretKey',
  'metaAppSecret',
  'adminPassword',
  'slackWebhookUrl',
  'anthropicApiKey',
]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readConfigFile(file: string, required: boolean): Record<string, unknown> {
  if (!existsSync(file)) {
    if (required) throw new ConfigError([`ROAS_CONFIG: file ${file} does not exist`]);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${file}: not valid YAML (${(error as Error).message.split('\n')[0]})`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`${file}: must be a mapping of keys to values`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads configuration once. Every bad key is reported together, named by where it came from
 * (the environment variable or the file key); secret values are never echoed.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const explicitFile = env.ROAS_CONFIG;
  const file = path.resolve(cwd, explicitFile ?? 'roas.config.yaml');
  const fromFile = readConfigFile(file, explicitFile !== undefined);
  const merged: Record<string, unknown> = { ...fromFile };
  const origin = new Map<string, string>(
    Object.keys(fromFile).map((key) => [key, `${path.basename(file)}: ${key}`]),
  );
  for (const [key, variable] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      merged[key] = value;
      origin.set(key, variable);
    }
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${path.basename(file)}: unknown key "${key}"`).join('\n  - ');
      }
      const key = String(issue.path[0] ?? '');
      const variable = (ENV_KEYS as Record<string, string>)[key];
      return `${origin.get(key) ?? variable ?? key}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const config = result.data;
  return Object.freeze({ ...config, home: path.resolve(cwd, config.home) });
}

/** The configuration with secrets masked, for `roas config` and logs. */
export function describeConfig(config: Config): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of Object.keys(ENV_KEYS) as (keyof Config)[]) {
    const value = config[key];
    if (value === undefined) out[key] = null;
    else if (key === 'databaseUrl') out[key] = redactUrl(String(value));
    else out[key] = SECRET_KEYS.has(key) ? '***' : String(value);
  }
  return out;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, (_all, user: string) => `//${user}:***@`);
}
