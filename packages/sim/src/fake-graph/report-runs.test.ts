import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestServer, type ListBody, type TestServer } from './test-helpers.ts';

describe('async report runs over HTTP', () => {
  let server: TestServer;
  const params = { level: 'ad', fields: 'ad_id,spend,actions', time_increment: '1', date_preset: 'last_7d' };

  beforeAll(async () => {
    server = await startTestServer({ asyncPolls: 4 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('goes Not Started -> Started -> Running (rising percent) -> Completed, then pages the same rows as the sync call', async () => {
    const created = await server.post(`${server.accountId}/insights`, params);
    expect(created.status).toBe(200);
    const runId = created.body.report_run_id as string;
    expect(runId).toMatch(/^\d+$/);
    expect(errorOf(await server.get(`${runId}/insights`)).code).toBe(100);

    const seen: [unknown, unknown][] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await server.get(runId, {
        fields: 'async_status,async_percent_completion,is_running',
      });
      seen.push([body.async_status, body.async_percent_completion]);
    }
    expect(seen).toEqual([
      ['Job Not Started', 0],
      ['Job Started', 0],
      ['Job Running', 33],
      ['Job Running', 67],
      ['Job Completed', 100],
    ]);
    const done = (await server.get(runId)).body;
    expect(done).toMatchObject({
      id: runId,
      account_id: server.accountId.slice(4),
      is_running: false,
      async_status: 'Job Completed',
    });
    expect(typeof done.time_completed).toBe('number');

    const rows: unknown[] = [];
    let next: string | undefined =
      `${server.url}/v26.0/${runId}/insights?limit=10&access_token=${server.accessToken}`;
    while (next !== undefined) {
      const page: ListBody = (await server.fetchUrl<ListBody>(next)).body;
      rows.push(...page.data);
      next = page.paging?.next;
      if (next !== undefined) expect(next.startsWith(`${server.url}/v26.0/${runId}/insights?`)).toBe(true);
    }
    const sync = await server.get<ListBody>(`${server.accountId}/insights`, { ...params, limit: '1000' });
    expect(rows).toEqual(sync.body.data);
  });

  it('creates runs on object edges with a JSON body and ends in Job Failed under the job-fail fault', async () => {
    const adSet = server.control.market.latent[0]?.id ?? '';
    server.control.setFaults('job-fail');
    const response = await fetch(`${server.url}/v26.0/${adSet}/insights?access_token=${server.accessToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: ['spend'], time_range: { since: '2026-01-10', until: '2026-01-20' } }),
    });
    const runId = ((await response.json()) as { report_run_id: string }).report_run_id;
    server.control.setFaults({});
    let status: unknown;
    for (let i = 0; i < 5; i++)
      status = (await server.get(runId, { fields: 'async_status,error_code' })).body.async_status;
    expect(status).toBe('Job Failed');
    expect((await server.get(runId, { fields: 'error_code,error_message' })).body.error_code).toBe(1);
    expect(errorOf(await server.get(`${runId}/insights`)).code).toBe(100);
    expect((await server.get(runId, { fields: 'date_start,date_stop' })).body).toMatchObject({
      date_start: '2026-01-10',
      date_stop: '2026-01-20',
    });
  });
});
