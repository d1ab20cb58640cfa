import { createHash, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@orgplane/util';
import { loadSecretsVaultConfig } from './secrets-vault.config';

const masterKey = () => randomBytes(32).toString('base64');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function problemsOf(env: NodeJS.ProcessEnv): string {
  try {
    loadSecretsVaultConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  throw new Error('Expected the configuration to be refused');
}

describe('secrets-vault configuration', () => {
  it('defaults: development, the secrets_vault_keys key store, no resolver', () => {
    const config = loadSecretsVaultConfig({});

    expect(config.NODE_ENV).toBe('development');
    expect(config.READ_MODEL_SCHEMA).toBe('secrets_vault');
    expect(config.KEY_STORE_SCHEMA).toBe('secrets_vault_keys');
    expect(config.SECRETS_MASTER_KEY).toBeUndefined();
    expect(config.SECRETS_RETIRED_MASTER_KEYS).toEqual([]);
    expect(config.SECRETS_RESOLVERS).toEqual([]);
  });

  it('takes a master key and a comma-separated list of retired ones', () => {
    const [current, first, second] = [masterKey(), masterKey(), masterKey()];

    const config = loadSecretsVaultConfig({
      SECRETS_MASTER_KEY: current,
      SECRETS_RETIRED_MASTER_KEYS: ` ${first}, ${second} ,`,
    });

    expect(config.SECRETS_MASTER_KEY).toBe(current);
    expect(config.SECRETS_RETIRED_MASTER_KEYS).toEqual([first, second]);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
    ['base64url', '-'.repeat(43) + '='],
    ['stray characters', `${masterKey()}!`],
  ])('refuses a master key that is not base64 of 32 bytes (%s), without echoing it', (_, key) => {
    const message = problemsOf({ SECRETS_MASTER_KEY: key });

    expect(message).toContain('SECRETS_MASTER_KEY (set): Expected the base64 of exactly 32 bytes');
    expect(message).not.toContain(key);
  });

  it('refuses a retired key list with a malformed entry, without echoing any', () => {
    const good = masterKey();
    const bad = randomBytes(24).toString('base64');

    const message = problemsOf({ SECRETS_RETIRED_MASTER_KEYS: `${good},${bad}` });

    expect(message).toContain('SECRETS_RETIRED_MASTER_KEYS (set)');
    expect(message).not.toContain(good);
    expect(message).not.toContain(bad);
  });

  it('requires a master key in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toContain(
      'SECRETS_MASTER_KEY (unset): Required when NODE_ENV is production',
    );
    expect(
      loadSecretsVaultConfig({ NODE_ENV: 'production', SECRETS_MASTER_KEY: masterKey() }).NODE_ENV,
    ).toBe('production');
  });

  it('keeps the key store out of the read-model schema', () => {
    expect(problemsOf({ READ_MODEL_SCHEMA: 'vault', KEY_STORE_SCHEMA: 'vault' })).toContain(
      'KEY_STORE_SCHEMA (set): Must differ from READ_MODEL_SCHEMA',
    );
  });

  it('parses the resolvers: service, usage and the SHA-256 of its token', () => {
    const runnerToken = sha256('runner token');
    const toolsToken = sha256('tools token');

    const config = loadSecretsVaultConfig({
      SECRETS_RESOLVERS: `agent-runner:agents:${runnerToken.toUpperCase()},tool-host:tools:${toolsToken}`,
    });

    expect(config.SECRETS_RESOLVERS).toEqual([
      { service: 'agent-runner', usage: 'agents', tokenSha256: runnerToken },
      { service: 'tool-host', usage: 'tools', tokenSha256: toolsToken },
    ]);
  });

  it.each([
    ['an unknown usage', `runner:all:${sha256('x')}`],
    ['a token instead of its hash', 'runner:agents:the-token-itself'],
    ['no usage', `runner:${sha256('x')}`],
  ])('refuses a resolver entry with %s, without echoing it', (_, entry) => {
    const message = problemsOf({ SECRETS_RESOLVERS: entry });

    expect(message).toContain(
      'SECRETS_RESOLVERS (set): Expected <service>:<agents|tools|sandboxes>',
    );
    expect(message).not.toContain(entry);
  });
});
