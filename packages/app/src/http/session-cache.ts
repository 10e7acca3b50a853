import { createHash } from 'node:crypto';
import type { Session } from '../services/auth.service.ts';
import { Generation, type ChangeFeed } from './change-feed.ts';

const MAX_SESSIONS = 10_000;

/**
 * Signed-in sessions by token, so a request needs no database read to know who sent it. Any change to
 * sessions or users (sign-out, a removed user, a new role) empties it as soon as it commits; an expired
 * session is never served; nothing is kept while the change feed is not live, or when a change
 * committed while the session was being read.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Session>();
  private readonly generation: Generation;

  constructor(private readonly feed: ChangeFeed) {
    this.generation = new Generation(feed, ['sessions', 'users'], () => this.sessions.clear());
  }

  async resolve(token: string, now: Date, read: () => Promise<Session | null>): Promise<Session | null> {
    if (!this.feed.isLive) return read();
    const key = createHash('sha256').update(token).digest('base64url');
    const cached = this.sessions.get(key);
    if (cached !== undefined && cached.expiresAt.getTime() > now.getTime()) return cached;
    const generation = this.generation.value;
    const session = await read();
    if (session !== null && this.feed.isLive && generation === this.generation.value) {
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.clear();
      this.sessions.set(key, session);
    }
    return session;
  }
}
