import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CORE_PACKAGE = fileURLToPath(new URL('../../../core/package.json', import.meta.url));

/** The decision engine's version (@roas/core's package version), recorded on every recommendation. */
export const ENGINE_VERSION: string = readEngineVersion();

function readEngineVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(CORE_PACKAGE, 'utf8'));
  const version = (parsed as { version?: unknown }).version;
  if (typeof version !== 'string' || version === '') throw new Error(`${CORE_PACKAGE} has no version`);
  return version;
}
