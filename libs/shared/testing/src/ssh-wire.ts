import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** Builds OpenSSH public keys in the SSH wire format, for tests (RFC 4251 §5). */
export function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A non-negative integer from its unsigned big-endian bytes (a zero byte first if the top bit is set). */
export function sshMpint(unsigned: Buffer): Buffer {
  return sshString(unsigned[0] & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}

export function blobOf(type: string, ...fields: Buffer[]): Buffer {
  return Buffer.concat([sshString(type), ...fields]);
}

export function keyLine(blob: Buffer, type: string, comment?: string): string {
  return [type, blob.toString('base64'), comment].filter((part) => part !== undefined).join(' ');
}

/** A random ed25519 public key (any 32 bytes are one, as far as parsing goes). */
export function ed25519Line(comment?: string, { securityKey = false } = {}): string {
  const type = securityKey ? 'sk-ssh-ed25519@openssh.com' : 'ssh-ed25519';
  const fields = [sshString(randomBytes(32))];
  if (securityKey) fields.push(sshString('ssh:'));
  return keyLine(blobOf(type, ...fields), type, comment);
}

const CURVES = { nistp256: 'P-256', nistp384: 'P-384', nistp521: 'P-521' } as const;

/** The uncompressed point of a freshly generated key: ECDSA points must lie on their curve. */
export function ecdsaPoint(curve: keyof typeof CURVES): Buffer {
  const jwk = generateKeyPairSync('ec', { namedCurve: CURVES[curve] }).publicKey.export({
    format: 'jwk',
  });
  return Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
}

export function ecdsaLine(
  curve: keyof typeof CURVES,
  comment?: string,
  { securityKey = false } = {},
): string {
  const type = securityKey ? `sk-ecdsa-sha2-${curve}@openssh.com` : `ecdsa-sha2-${curve}`;
  const fields = [sshString(curve), sshString(ecdsaPoint(curve))];
  if (securityKey) fields.push(sshString('ssh:'));
  return keyLine(blobOf(type, ...fields), type, comment);
}

/**
 * An `ssh-rsa` line whose modulus has exactly `bits` bits (random, not a product of primes:
 * parsing only measures it).
 */
export function rsaLine(bits: number, comment?: string): string {
  const modulus = randomBytes(Math.ceil(bits / 8));
  const topBits = bits % 8 || 8;
  modulus[0] = (modulus[0] & ((1 << topBits) - 1)) | (1 << (topBits - 1));
  const blob = blobOf('ssh-rsa', sshMpint(Buffer.from([0x01, 0x00, 0x01])), sshMpint(modulus));
  return keyLine(blob, 'ssh-rsa', comment);
}

/** An `ssh-dss` line (p, q, g, y), which must be refused. */
export function dsaLine(): string {
  const blob = blobOf(
    'ssh-dss',
    sshMpint(randomBytes(128)),
    sshMpint(randomBytes(20)),
    sshMpint(randomBytes(128)),
    sshMpint(randomBytes(128)),
  );
  return keyLine(blob, 'ssh-dss');
}
