import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { dedupeKeyOf, lockKeyOf, parseRequest, queuePolicy } from './job-definitions.ts';
import { describeSchedule, scheduleFrom } from './schedule.ts';

describe('job requests', () => {
  it('reads a queued job back, refusing unknown names and account jobs without an account', () => {
    expect(parseRequest('sync', { accountId: 'act_1' })).toEqual({ name: 'sync', accountId: 'act_1' });
    expect(parseRequest('health', {})).toEqual({ name: 'health' });
    expect(() => parseRequest('decide', {})).toThrow(/job decide: data has no accountId/);
    expect(() => parseRequest('mine-bitcoin', {})).toThrow(
      /unknown job "mine-bitcoin": expected one of sync, decide/,
    );
  });

  it('locks every job of one account together and each global job on its own', () => {
    const keys = [
      lockKeyOf({ name: 'sync', accountId: 'act_1' }),
      lockKeyOf({ name: 'decide', accountId: 'act_1' }),
      lockKeyOf({ name: 'apply', accountId: 'act_1' }),
    ];
    expect(new Set(keys)).toEqual(new Set(['account:act_1']));
    expect(lockKeyOf({ name: 'sync', accountId: 'act_2' })).not.toBe(keys[0]);
    expect(lockKeyOf({ name: 'health' })).not.toBe(lockKeyOf({ name: 'outcomes' }));
    // Waiting jobs are the same work only when name and account both match.
    expect(dedupeKeyOf({ name: 'sync', accountId: 'act_1' })).not.toBe(
      dedupeKeyOf({ name: 'decide', accountId: 'act_1' }),
    );
  });

  it('expires a job only after its longest honest run, within pg-boss limits', () => {
    expect(queuePolicy('sync').expireInSeconds).toBeGreaterThan(queuePolicy('decide').expireInSeconds);
    // Longer than meta-write's 20-minute send lease.
    expect(queuePolicy('apply').expireInSeconds).toBeGreaterThan(20 * 60);
    for (const name of ['sync', 'decide', 'apply', 'health'] as const)
      expect(queuePolicy(name).expireInSeconds).toBeLessThan(24 * 3600);
  });
});

describe('schedule configuration', () => {
  it('defaults to sync every 6 hours, outcomes every 12, health hourly, notifications every minute, training daily', () => {
    const config = loadConfig({}, '/');
    expect(config.scheduler).toBe('on');
    expect(scheduleFrom(config)).toEqual([
      { job: 'sync-all', cron: '0 */6 * * *' },
      { job: 'outcomes', cron: '0 */12 * * *' },
      { job: 'health', cron: '0 * * * *' },
      { job: 'notify', cron: '* * * * *' },
      { job: 'train', cron: '0 3 * * *' },
    ]);
    expect(describeSchedule(scheduleFrom(config))).toMatch(
      /sync every account \(then decide and apply\) "0 \*\/6 \* \* \*"/,
    );
  });

  it('takes cron strings from the environment and names each bad one', () => {
    expect(loadConfig({ ROAS_SYNC_CRON: '0 * * * *', ROAS_SCHEDULER: 'off' }, '/')).toMatchObject({
      syncCron: '0 * * * *',
      scheduler: 'off',
    });
    let caught: unknown;
    try {
      loadConfig(
        { ROAS_SYNC_CRON: 'every six hours', ROAS_HEALTH_CRON: '*/5 * * * * *', ROAS_SCHEDULER: 'maybe' },
        '/',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/ROAS_SYNC_CRON: must be a cron expression of 5 fields/);
    // Six fields (seconds) is croner's extension, not the five-field syntax both runners share.
    expect(problems).toMatch(/ROAS_HEALTH_CRON: must be a cron expression of 5 fields/);
    expect(problems).toMatch(/ROAS_SCHEDULER:/);
    expect(() => loadConfig({ ROAS_OUTCOMES_CRON: '61 * * * *' }, '/')).toThrow(/ROAS_OUTCOMES_CRON/);
  });
});
