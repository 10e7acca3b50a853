import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Session } from '../services/auth.service.ts';
import { ChangeFeed } from './change-feed.ts';
import { ListCache } from './list-cache.ts';
import { SessionCache } from './session-cache.ts';

/** A feed over a fake database whose notifications and connection loss the test drives. */
async function liveFeed() {
  let handlers: { onNotify(payload: string): void; onLost(error: unknown): void } | undefined;
  const feed = new ChangeFeed();
  await feed.start(
    {
      listen: (_channel, h) => {
        handlers = h;
        return Promise.resolve(() => Promise.resolve());
      },
    },
    { warn: () => {} },
  );
  return {
    feed,
    notify: (table: string) => handlers?.onNotify(table),
    lose: () => handlers?.onLost(new Error('gone')),
  };
}

describe('ListCache', () => {
  it('computes a page once, serves it until a table behind it changes, and gzips it once', async () => {
    const { feed, notify } = await liveFeed();
    const cache = new ListCache(feed);
    let computed = 0;
    const compute = () => Promise.resolve({ n: ++computed, padding: 'x'.repeat(10_000) });
    const first = await cache.through('/a', compute);
    const second = await cache.through('/a', compute);
    expect(second).toBe(first);
    expect(computed).toBe(1);
    expect(JSON.parse(gunzipSync(first.gzipped()).toString()) as unknown).toMatchObject({ n: 1 });
    expect(first.gzipped()).toBe(first.gzipped());
    notify('sessions');
    await cache.through('/a', compute);
    expect(computed).toBe(1);
    notify('recommendations');
    expect(JSON.parse((await cache.through('/a', compute)).text) as unknown).toMatchObject({ n: 2 });
    // A change this process made empties it without waiting for the notice.
    feed.invalidateAll();
    expect(JSON.parse((await cache.through('/a', compute)).text) as unknown).toMatchObject({ n: 3 });
  });

  it('shares one computation among concurrent requests', async () => {
    const { feed } = await liveFeed();
    const cache = new ListCache(feed);
    let computed = 0;
    const compute = async () => {
      computed += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { computed };
    };
    const pages = await Promise.all([1, 2, 3].map(() => cache.through('/b', compute)));
    expect(computed).toBe(1);
    expect(new Set(pages.map((p) => p.text)).size).toBe(1);
  });

  it('keeps nothing computed while a change came in, nor while the feed is down', async () => {
    const { feed, notify, lose } = await liveFeed();
    const cache = new ListCache(feed);
    let computed = 0;
    await cache.through('/c', () => {
      computed += 1;
      notify('adsets');
      return Promise.resolve({});
    });
    await cache.through('/c', () => Promise.resolve(++computed));
    expect(computed).toBe(2);
    lose();
    expect(feed.isLive).toBe(false);
    await cache.through('/c', () => Promise.resolve(++computed));
    await cache.through('/c', () => Promise.resolve(++computed));
    expect(computed).toBe(4);
    await feed.close();
  });

  it('evicts the least recently used pages beyond its limits', async () => {
    const { feed } = await liveFeed();
    const cache = new ListCache(feed, { entries: 2, bytes: 1_000_000 });
    let computed = 0;
    const compute = () => Promise.resolve(++computed);
    await cache.through('/1', compute);
    await cache.through('/2', compute);
    await cache.through('/1', compute);
    await cache.through('/3', compute);
    await cache.through('/1', compute);
    expect(computed).toBe(3);
    await cache.through('/2', compute);
    expect(computed).toBe(4);
  });
});

describe('SessionCache', () => {
  const session = (expiresAt: Date): Session => ({
    id: 'h',
    user: { id: 'u', username: 'maria', role: 'viewer' },
    csrfToken: 'c',
    expiresAt,
  });

  it('reads a session once, forgets it on any change to sessions or users, never serves it expired', async () => {
    const { feed, notify } = await liveFeed();
    const cache = new SessionCache(feed);
    const now = new Date('2026-03-01T00:00:00Z');
    let reads = 0;
    const read = () => {
      reads += 1;
      return Promise.resolve(session(new Date(now.getTime() + 60_000)));
    };
    await cache.resolve('token', now, read);
    await cache.resolve('token', now, read);
    expect(reads).toBe(1);
    notify('recommendations');
    await cache.resolve('token', now, read);
    expect(reads).toBe(1);
    notify('sessions');
    await cache.resolve('token', now, read);
    expect(reads).toBe(2);
    notify('users');
    await cache.resolve('token', now, read);
    expect(reads).toBe(3);
    expect(
      await cache.resolve('token', new Date(now.getTime() + 120_000), () => Promise.resolve(null)),
    ).toBeNull();
    // Unknown tokens are never cached.
    await cache.resolve('other', now, () => Promise.resolve(null));
    expect(await cache.resolve('other', now, read)).not.toBeNull();
  });

  it('does not keep a session read while a sign-out committed', async () => {
    const { feed, notify } = await liveFeed();
    const cache = new SessionCache(feed);
    const now = new Date('2026-03-01T00:00:00Z');
    await cache.resolve('token', now, () => {
      notify('sessions');
      return Promise.resolve(session(new Date(now.getTime() + 60_000)));
    });
    let reads = 0;
    expect(
      await cache.resolve('token', now, () => {
        reads += 1;
        return Promise.resolve(null);
      }),
    ).toBeNull();
    expect(reads).toBe(1);
  });
});
