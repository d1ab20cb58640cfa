import { generateKeyPairSync } from 'node:crypto';
import { ConfigurationError } from '@orgplane/util';
import { loadIdentityConfig } from './identity.config';

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
});
