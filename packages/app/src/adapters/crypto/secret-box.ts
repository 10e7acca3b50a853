import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'roas-pilot token encryption';

/** Thrown when a stored secret cannot be decrypted: wrong SECRET_KEY, or the value was altered. */
export class SecretDecryptError extends Error {
  constructor() {
    super(
      'a stored secret could not be decrypted: SECRET_KEY differs from the one it was saved with, or the value was altered',
    );
    this.name = 'SecretDecryptError';
  }
}

/**
 * AES-256-GCM with a key derived (HKDF-SHA256) from SECRET_KEY. Each value gets its own random 96-bit
 * nonce; the output `v1:<nonce>:<tag>:<ciphertext>` (base64url) is what the database stores.
 * `context` (for example the account id) is bound as associated data, so a ciphertext copied onto
 * another account's row does not decrypt.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 16) throw new RangeError('SECRET_KEY must be at least 16 characters');
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'roas-pilot', INFO, 32));
  }

  encrypt(plaintext: string, context: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  decrypt(stored: string, context: string): string {
    const [version, nonce, tag, ciphertext] = stored.split(':');
    if (version !== VERSION || !nonce || !tag || ciphertext === undefined) throw new SecretDecryptError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretDecryptError();
    }
  }
}
