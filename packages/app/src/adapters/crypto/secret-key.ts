import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hkdfSync, randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * SECRET_KEY when set. Otherwise (development only: production refuses to start without it) a random
 * key kept in ROAS_HOME/secret.key, readable by its owner alone, so a first run works with no setup.
 */
export function resolveSecretKey(config: { secretKey?: string | undefined; home: string }): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.home, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.home, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/** A separate key for signing OAuth state, so no one value serves two purposes. */
export function deriveStateKey(secretKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'roas-pilot', 'oauth state signing', 32));
}
