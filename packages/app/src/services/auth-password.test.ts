import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  findPasswordProblem,
  verifyAgainstNothing,
  verifyPassword,
} from './auth-password.ts';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores the parameters with a random salt, so equal passwords hash differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same password 123'), hashPassword('same password 123')]);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(a.split('$')[3]).not.toBe(b.split('$')[3]);
    expect(await verifyPassword('same password 123', b)).toBe(true);
    expect(a).not.toContain('same password');
  });

  it('verifies hashes made with other parameters, read from the hash itself', async () => {
    const cheap = await hashPassword('older cheaper hash', { log2N: 10, r: 8, p: 1 });
    expect(cheap.startsWith('$scrypt$ln=10,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('older cheaper hash', cheap)).toBe(true);
    expect(await verifyPassword('older cheaper hasH', cheap)).toBe(false);
  });

  it('treats an unreadable or tampered hash as no match', async () => {
    const stored = await hashPassword('a fine password');
    expect(await verifyPassword('a fine password', 'plaintext')).toBe(false);
    expect(await verifyPassword('a fine password', stored.replace('ln=15', 'ln=40'))).toBe(false);
    expect(await verifyPassword('a fine password', stored.replace('ln=15', 'ln=14'))).toBe(false);
    expect(await verifyAgainstNothing('a fine password')).toBe(false);
  });

  it('normalises Unicode, so the same visible password matches however it was typed', async () => {
    const stored = await hashPassword('caf\u00e9 au lait 42');
    expect(await verifyPassword('cafe\u0301 au lait 42', stored)).toBe(true);
  });

  it('checks the length of new passwords and generates strong ones', () => {
    expect(findPasswordProblem('short')).toMatch(/at least 12 characters/);
    expect(findPasswordProblem('x'.repeat(1025))).toMatch(/at most 1024/);
    expect(findPasswordProblem('twelve chars')).toBeNull();
    const generated = new Set(Array.from({ length: 50 }, generatePassword));
    expect(generated.size).toBe(50);
    for (const password of generated) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});
