import { createHash, randomBytes } from 'node:crypto';
import { ConfiguredKeyProvider, masterKeyIdOf } from './configured-key-provider';

const organizationId = '0b6f3c1e-5d2a-4e8b-9c7d-1a2b3c4d5e6f';

function masterKey(): Buffer {
  return randomBytes(32);
}

describe('ConfiguredKeyProvider', () => {
  it('names a master key cfg: and the first 16 hex digits of its SHA-256', () => {
    const key = masterKey();
    const digest = createHash('sha256').update(key).digest('hex');

    expect(masterKeyIdOf(key)).toBe(`cfg:${digest.slice(0, 16)}`);
    expect(new ConfiguredKeyProvider(Buffer.from(key)).currentKeyId).toBe(masterKeyIdOf(key));
  });

  it('wraps with the current master key and unwraps what it wrapped', async () => {
    const provider = new ConfiguredKeyProvider(masterKey());
    const dataKey = randomBytes(32);

    const wrapped = await provider.wrap(dataKey, organizationId);

    expect(wrapped.masterKeyId).toBe(provider.currentKeyId);
    // nonce, the 32 key bytes encrypted, tag
    expect(wrapped.wrapped).toHaveLength(12 + 32 + 16);
    expect(wrapped.wrapped.includes(dataKey)).toBe(false);
    expect(await provider.unwrap(wrapped, organizationId)).toEqual(dataKey);
  });

  it('wraps the same key differently each time (a fresh nonce)', async () => {
    const provider = new ConfiguredKeyProvider(masterKey());
    const dataKey = randomBytes(32);

    const first = await provider.wrap(dataKey, organizationId);
    const second = await provider.wrap(dataKey, organizationId);

    expect(first.wrapped.equals(second.wrapped)).toBe(false);
  });

  it('refuses to unwrap under another context: a wrapped key cannot move to another organization', async () => {
    const provider = new ConfiguredKeyProvider(masterKey());
    const wrapped = await provider.wrap(randomBytes(32), organizationId);

    await expect(
      provider.unwrap(wrapped, 'a7a0f1d2-93b4-4c5d-8e6f-7a8b9c0d1e2f'),
    ).rejects.toThrow();
  });

  it('refuses a wrapped key with an altered byte', async () => {
    const provider = new ConfiguredKeyProvider(masterKey());
    const wrapped = await provider.wrap(randomBytes(32), organizationId);
    wrapped.wrapped[20] ^= 1;

    await expect(provider.unwrap(wrapped, organizationId)).rejects.toThrow();
  });

  it('unwraps with a retired master key, but wraps only with the current one', async () => {
    const oldKey = masterKey();
    const before = new ConfiguredKeyProvider(Buffer.from(oldKey));
    const dataKey = randomBytes(32);
    const wrappedBefore = await before.wrap(dataKey, organizationId);

    const after = new ConfiguredKeyProvider(masterKey(), [Buffer.from(oldKey)]);

    expect(after.knows(before.currentKeyId)).toBe(true);
    expect(after.knows(after.currentKeyId)).toBe(true);
    expect(await after.unwrap(wrappedBefore, organizationId)).toEqual(dataKey);
    expect((await after.wrap(dataKey, organizationId)).masterKeyId).toBe(after.currentKeyId);
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
  });

  it('does not know a master key it was not given, and says which one it lacks', async () => {
    const wrapped = await new ConfiguredKeyProvider(masterKey()).wrap(
      randomBytes(32),
      organizationId,
    );
    const other = new ConfiguredKeyProvider(masterKey());

    expect(other.knows(wrapped.masterKeyId)).toBe(false);
    await expect(other.unwrap(wrapped, organizationId)).rejects.toThrow(
      `Master key ${wrapped.masterKeyId} is not configured`,
    );
  });

  it('takes the configuration base64 keys', async () => {
    const current = masterKey();
    const retired = masterKey();

    const provider = ConfiguredKeyProvider.fromBase64(current.toString('base64'), [
      retired.toString('base64'),
    ]);

    expect(provider.currentKeyId).toBe(masterKeyIdOf(current));
    expect(provider.knows(masterKeyIdOf(retired))).toBe(true);
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => new ConfiguredKeyProvider(randomBytes(16))).toThrow(
      'A master key must be 32 bytes',
    );
    expect(() => new ConfiguredKeyProvider(masterKey(), [randomBytes(31)])).toThrow(
      'A master key must be 32 bytes',
    );
  });

  it('zeroes the key buffers it is given', () => {
    const current = masterKey();
    const retired = masterKey();

    new ConfiguredKeyProvider(current, [retired]);

    expect(current.equals(Buffer.alloc(32))).toBe(true);
    expect(retired.equals(Buffer.alloc(32))).toBe(true);
  });
});
