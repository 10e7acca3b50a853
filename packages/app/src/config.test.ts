import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'roas-config-'));

describe('loadConfig', () => {
  it('applies defaults', () => {
    const cwd = emptyDir();
    const config = loadConfig({}, cwd);
    expect(config.home).toBe(path.join(cwd, '.roas'));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('warn');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets the environment override the YAML file', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'roas.config.yaml'), 'home: ./from-file\nlogLevel: debug\n');
    const config = loadConfig({ ROAS_HOME: '/tmp/from-env' }, cwd);
    expect(config.home).toBe('/tmp/from-env');
    expect(config.logLevel).toBe('debug');
  });

  it('lists every bad key at once, named by its source', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'roas.config.yaml'), 'colour: blue\n');
    let caught: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }, cwd);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/DATABASE_URL: must start with postgres/);
    expect(problems).toMatch(/LOG_LEVEL:/);
    expect(problems).toMatch(/unknown key "colour"/);
  });

  it('never echoes a bad secret value', () => {
    const secret = 'mysql://admin:hunter2@db';
    expect(() => loadConfig({ DATABASE_URL: secret }, emptyDir())).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_URL: secret }, emptyDir());
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('refuses a named config file that is missing or not YAML', () => {
    const cwd = emptyDir();
    expect(() => loadConfig({ ROAS_CONFIG: 'nope.yaml' }, cwd)).toThrow(/does not exist/);
    writeFileSync(path.join(cwd, 'bad.yaml'), 'a: [1, 2\n');
    expect(() => loadConfig({ ROAS_CONFIG: 'bad.yaml' }, cwd)).toThrow(/not valid YAML/);
  });

  it('requires SECRET_KEY in production and masks secrets when described', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, emptyDir())).toThrow(
      /SECRET_KEY: is required in production/,
    );
    const config = loadConfig(
      { NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(32), META_APP_SECRET: 'shh' },
      emptyDir(),
    );
    const described = describeConfig(config);
    expect(described.secretKey).toBe('***');
    expect(described.metaAppSecret).toBe('***');
    expect(JSON.stringify(described)).not.toContain('shh');
  });

  it('reads numbers and URLs with their checks', () => {
    const config = loadConfig({ PORT: '9001', META_GRAPH_URL: 'http://127.0.0.1:5555' }, emptyDir());
    expect(config.port).toBe(9001);
    expect(config.metaGraphUrl).toBe('http://127.0.0.1:5555');
    expect(() => loadConfig({ PORT: '70000', META_API_VERSION: '26' }, emptyDir())).toThrow(
      /PORT[\s\S]*META_API_VERSION/,
    );
  });

  it('masks the database password when described', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://roas:s3cret@127.0.0.1:5432/roas' }, emptyDir());
    expect(describeConfig(config).databaseUrl).toBe('postgres://roas:***@127.0.0.1:5432/roas');
  });
});
