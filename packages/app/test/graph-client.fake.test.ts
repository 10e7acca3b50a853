import { startFakeGraph, type FakeGraphServer } from '@roas/sim/fake-graph';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GraphClient, type GraphEvent } from '../src/adapters/meta/graph-client.ts';
import { adSetSchema } from '../src/adapters/meta/graph-schemas.ts';

const THROTTLE_CODES = [4, 17, 613, ...Array.from({ length: 15 }, (_, i) => 80000 + i)];

describe('GraphClient against the fake Graph API', () => {
  let fake: FakeGraphServer;
  let adSetIds: string[] = [];

  beforeAll(async () => {
    fake = await startFakeGraph({
      scenario: { extends: 'default', adSets: 30 },
      seed: 8,
      startDay: 10,
      tier: 'development',
    });
    adSetIds = fake.control.truth().adSets.map((a) => a.id);
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.control.setFaults({});
    fake.control.resetUsage();
  });

  function client(onSleep: (ms: number) => void = () => {}) {
    const events: GraphEvent[] = [];
    const graph = new GraphClient({
      baseUrl: fake.url,
      apiVersion: 'v26.0',
      accessToken: fake.accessToken,
      maxRetries: 8,
      sleep: (ms) => {
        onSleep(ms);
        return Promise.resolve();
      },
      onEvent: (event) => events.push(event),
    });
    return { graph, events };
  }

  it('runs a batch of 60 reads across two requests, retrying the entries Meta left null', async () => {
    fake.control.setFaults('drop:0.25');
    const { graph } = client();
    const results = await graph.batch(
      adSetIds
        .concat(adSetIds)
        .slice(0, 60)
        .map((id) => ({ method: 'GET' as const, relativeUrl: `${id}?fields=id,name,campaign_id` })),
    );
    expect(results).toHaveLength(60);
    expect(results.every((r) => r.ok)).toBe(true);
    const ids = results.map((r) => (r.ok ? z.object({ id: z.string() }).parse(r.body).id : ''));
    expect(ids).toEqual(adSetIds.concat(adSetIds).slice(0, 60));
  });

  it.each(THROTTLE_CODES)('waits out throttle code %i and succeeds', async (code) => {
    fake.control.setFaults(`throttle-${code}:1:2`);
    const sleeps: number[] = [];
    const { graph, events } = client((ms) => {
      sleeps.push(ms);
      fake.control.setFaults({});
    });
    const adSet = await graph.get(
      adSetIds[0] ?? '',
      { fields: 'id,name,campaign_id' },
      adSetSchema,
      'ad set',
    );
    expect(adSet.id).toBe(adSetIds[0]);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry && retry.type === 'retry' ? retry.reason : '').toMatch(new RegExp(`code ${code}\\b`));
    if (code === 4) {
      // App-level throttles state no wait: exponential backoff from a minute, with jitter.
      expect(sleeps[0]).toBeGreaterThanOrEqual(30_000);
      expect(sleeps[0]).toBeLessThanOrEqual(60_000);
    } else {
      // Meta named 2 minutes to regain access; the client waits that long rather than guessing.
      expect(sleeps[0]).toBe(2 * 60_000);
    }
  });

  it('slows down as the usage headers climb, before Meta throttles', async () => {
    const sleeps: number[] = [];
    const { graph, events } = client((ms) => sleeps.push(ms));
    for (let i = 0; i < 80 && !events.some((e) => e.type === 'pace'); i++) {
      await graph.get(
        adSetIds[i % adSetIds.length] ?? '',
        { fields: 'id' },
        z.object({ id: z.string() }),
        'ad set',
      );
    }
    const usages = events.flatMap((e) => (e.type === 'response' ? [e.usage.maxPercent] : []));
    expect(Math.max(...usages)).toBeGreaterThanOrEqual(75);
    expect(usages[0]).toBeLessThan(usages.at(-1) ?? 0);
    expect(events.some((e) => e.type === 'pace')).toBe(true);
    expect(events.some((e) => e.type === 'retry')).toBe(false);
  });
});
