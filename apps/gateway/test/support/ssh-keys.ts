import { generateKeyPairSync } from 'node:crypto';

/** A fresh OpenSSH public key line, as `ssh-keygen -t ed25519` writes it to `id_ed25519.pub`. */
export function newSshPublicKey(comment = 'tester@orgplane'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

/** RFC 4251 `string`: a 32-bit big-endian length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
