import { describe, expect, it } from 'vitest';
import { SecretBox, SecretDecryptError } from './secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox('a long enough secret key');

  it('round-trips and never stores the plaintext', () => {
    const stored = box.encrypt('EAAB-token-123', 'act_1');
    expect(stored).not.toContain('EAAB');
    expect(stored.startsWith('v1:')).toBe(true);
    expect(box.decrypt(stored, 'act_1')).toBe('EAAB-token-123');
  });

  it('uses a fresh nonce each time', () => {
    expect(box.encrypt('same', 'act_1')).not.toBe(box.encrypt('same', 'act_1'));
  });

  it('refuses another key, another account, or an altered value', () => {
    const stored = box.encrypt('EAAB-token-123', 'act_1');
    expect(() => new SecretBox('a different secret key').decrypt(stored, 'act_1')).toThrow(
      SecretDecryptError,
    );
    expect(() => box.decrypt(stored, 'act_2')).toThrow(SecretDecryptError);
    const parts = stored.split(':');
    // Flip a bit of a decoded byte: editing the last base64 character may touch only padding bits.
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 0x01;
    const flipped = ciphertext.toString('base64url');
    expect(() => box.decrypt([...parts.slice(0, 3), flipped].join(':'), 'act_1')).toThrow(SecretDecryptError);
    expect(() => box.decrypt('garbage', 'act_1')).toThrow(SecretDecryptError);
  });

  it('refuses a short key', () => {
    expect(() => new SecretBox('short')).toThrow(/at least 16/);
  });
});
