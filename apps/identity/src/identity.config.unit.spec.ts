import { generateKeyPairSync } from 'node:crypto';
import { ConfigurationError } from '@orgplane/util';
import { loadIdentityConfig, workosSettingsOf } from './identity.config';

function pemOf(key: ReturnType<typeof generateKeyPairSync>['privateKey']): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

describe('identity configuration', () => {
  it('starts with defaults and no signing key outside production', () => {
    const config = loadIdentityConfig({ NODE_ENV: 'development' });
    expect(config.READ_MODEL_SCHEMA).toBe('identity');
    expect(config.IDENTITY_SIGNING_KEY).toBeUndefined();
  });

  it('requires a signing key in production, naming the variable', () => {
    expect(() => loadIdentityConfig({ NODE_ENV: 'production' })).toThrow(ConfigurationError);
    expect(() => loadIdentityConfig({ NODE_ENV: 'production' })).toThrow(
      /IDENTITY_SIGNING_KEY \(unset\): Required when NODE_ENV is production/,
    );
  });

  it('accepts an EC P-256 key and refuses other keys without echoing them', () => {
    const p256 = pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    expect(loadIdentityConfig({ IDENTITY_SIGNING_KEY: p256 }).IDENTITY_SIGNING_KEY).toBe(p256);

    const ed25519 = pemOf(generateKeyPairSync('ed25519').privateKey);
    let message = '';
    try {
      loadIdentityConfig({ IDENTITY_SIGNING_KEY: ed25519, DATABASE_POOL_MAX: 'many' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/IDENTITY_SIGNING_KEY \(set\): Expected a PEM EC P-256/);
    expect(message).toMatch(/DATABASE_POOL_MAX \(set\)/);
    expect(message).not.toContain('PRIVATE KEY');
  });

  describe('WorkOS', () => {
    const workos = {
      WORKOS_API_KEY: 'sk_test_secret_key',
      WORKOS_CLIENT_ID: 'client_123',
      WORKOS_REDIRECT_URI: 'https://app.example.com/callback',
      WORKOS_COOKIE_PASSWORD: 'p'.repeat(32),
      WORKOS_WEBHOOK_SECRET: 'whsec_secret',
    };

    it('is off without its settings, and on with all of them', () => {
      expect(workosSettingsOf(loadIdentityConfig({}))).toBeNull();
      expect(workosSettingsOf(loadIdentityConfig(workos))).toEqual({
        apiKey: 'sk_test_secret_key',
        clientId: 'client_123',
        redirectUri: 'https://app.example.com/callback',
        cookiePassword: 'p'.repeat(32),
        webhookSecret: 'whsec_secret',
        apiHostname: 'api.workos.com',
        apiPort: undefined,
        https: true,
      });
      const pointed = loadIdentityConfig({
        ...workos,
        WORKOS_API_HOSTNAME: '127.0.0.1',
        WORKOS_API_PORT: '8080',
        WORKOS_API_HTTPS: 'false',
      });
      expect(workosSettingsOf(pointed)).toMatchObject({
        apiHostname: '127.0.0.1',
        apiPort: 8080,
        https: false,
      });
    });

    it('names what is missing or wrong, never echoing a value', () => {
      const messageOf = (env: NodeJS.ProcessEnv) => {
        try {
          loadIdentityConfig(env);
        } catch (error) {
          return (error as Error).message;
        }
        throw new Error('Expected the configuration to be refused');
      };
      const missing = messageOf({ WORKOS_API_KEY: workos.WORKOS_API_KEY });
      for (const name of [
        'WORKOS_CLIENT_ID',
        'WORKOS_REDIRECT_URI',
        'WORKOS_COOKIE_PASSWORD',
        'WORKOS_WEBHOOK_SECRET',
      ]) {
        expect(missing).toContain(`${name} (unset): Required with the other WorkOS settings`);
      }
      const wrong = messageOf({
        ...workos,
        WORKOS_COOKIE_PASSWORD: 'short-secret',
        WORKOS_API_HTTPS: 'yes',
      });
      expect(wrong).toMatch(/WORKOS_COOKIE_PASSWORD \(set\): Expected at least 32 characters/);
      expect(wrong).toMatch(/WORKOS_API_HTTPS \(set\)/);
      expect(`${missing}${wrong}`).not.toMatch(/sk_test_secret_key|short-secret/);
    });
  });
});
