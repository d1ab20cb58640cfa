import { ServiceError } from '@orgplane/util';
import { parseSshPublicKey, SSH_KEY_PROBLEMS } from './ssh-public-key';
import {
  blobOf,
  dsaLine,
  ecdsaLine,
  ecdsaPoint,
  ed25519Line,
  keyLine,
  rsaLine,
  sshMpint,
  sshString,
} from '@orgplane/testing';

/** Printed by `ssh-keygen -lf` for this key: `256 SHA256:Lk6N… me@host (ED25519)`. */
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIpBLKG+4VtOtFrZddssxjprrPIUPanT3GDWcVdA7Qtc me@host';
const ED25519_FINGERPRINT = 'SHA256:Lk6NyYpOhHoxLdzwjFMTiO6SmXkOcUygmHcX2uDzhtA';
const ED25519_KEY = ED25519.slice(0, ED25519.lastIndexOf(' '));

function refusal(text: string): string[] {
  let thrown: unknown;
  try {
    parseSshPublicKey(text);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ServiceError);
  const error = thrown as ServiceError;
  expect(error.kind).toBe('validation');
  // The refusal never repeats the input, not even in part.
  const start = text.trim().slice(0, 40);
  if (start) expect(JSON.stringify(error.toBody())).not.toContain(start);
  return (error.details?.fields as Record<string, string[]>).publicKey;
}

describe('parseSshPublicKey', () => {
  it('reads type, blob and comment, and fingerprints as ssh-keygen does', () => {
    expect(parseSshPublicKey(ED25519)).toEqual({
      keyType: 'ssh-ed25519',
      publicKey: ED25519_KEY,
      fingerprint: ED25519_FINGERPRINT,
      bits: 256,
      comment: 'me@host',
    });
  });

  it('keeps no comment when there is none, and the inner blanks of one that has them', () => {
    expect(parseSshPublicKey(ED25519_KEY).comment).toBeNull();
    expect(parseSshPublicKey(`${ED25519_KEY} my  laptop\tkey`).comment).toBe('my  laptop\tkey');
  });

  it('tolerates blanks, tabs, CRLF and a trailing newline around the line', () => {
    for (const text of [
      `  ${ED25519}  `,
      `\t${ED25519_KEY}\tme@host\r\n`,
      `${ED25519}\n`,
      `\r\n\n${ED25519}\r\n\r\n`,
      `ssh-ed25519 \t ${ED25519_KEY.split(' ')[1]}   me@host`,
    ]) {
      expect(parseSshPublicKey(text)).toMatchObject({
        publicKey: ED25519_KEY,
        fingerprint: ED25519_FINGERPRINT,
        comment: 'me@host',
      });
    }
  });

  it('skips authorized_keys options, quoted blanks included, and keeps none of them', () => {
    for (const options of [
      'no-pty',
      'from="10.0.0.1",no-pty',
      'command="echo hi there",no-port-forwarding',
      'command="echo \\"quoted\\" words",restrict',
      'environment="A=b c"',
    ]) {
      expect(parseSshPublicKey(`${options} ${ED25519}`)).toMatchObject({
        publicKey: ED25519_KEY,
        fingerprint: ED25519_FINGERPRINT,
        comment: 'me@host',
      });
    }
  });

  it('measures each accepted type as ssh-keygen prints it', () => {
    const cases: [string, string, number][] = [
      [ed25519Line(), 'ssh-ed25519', 256],
      [ed25519Line(undefined, { securityKey: true }), 'sk-ssh-ed25519@openssh.com', 256],
      [ecdsaLine('nistp256'), 'ecdsa-sha2-nistp256', 256],
      [ecdsaLine('nistp384'), 'ecdsa-sha2-nistp384', 384],
      [ecdsaLine('nistp521'), 'ecdsa-sha2-nistp521', 521],
      [
        ecdsaLine('nistp256', undefined, { securityKey: true }),
        'sk-ecdsa-sha2-nistp256@openssh.com',
        256,
      ],
      [rsaLine(2048), 'ssh-rsa', 2048],
      [rsaLine(3071), 'ssh-rsa', 3071],
      [rsaLine(4096), 'ssh-rsa', 4096],
    ];
    for (const [line, keyType, bits] of cases) {
      expect(parseSshPublicKey(line)).toMatchObject({ keyType, bits, publicKey: line });
    }
  });

  it('refuses DSA, short RSA and unknown types, each with its reason', () => {
    expect(refusal(dsaLine())).toEqual([SSH_KEY_PROBLEMS.dsa]);
    expect(refusal(`no-pty ${dsaLine()}`)).toEqual([SSH_KEY_PROBLEMS.dsa]);
    expect(refusal(rsaLine(2047))).toEqual([SSH_KEY_PROBLEMS.shortRsa]);
    expect(refusal(rsaLine(1024))).toEqual([SSH_KEY_PROBLEMS.shortRsa]);
    const certificate = keyLine(
      blobOf('ssh-ed25519-cert-v01@openssh.com', sshString('nonce')),
      'ssh-ed25519-cert-v01@openssh.com',
    );
    expect(refusal(certificate)).toEqual([SSH_KEY_PROBLEMS.unsupported]);
    expect(refusal(ED25519.replace('ssh-ed25519', 'ssh-ed448'))).toEqual([
      SSH_KEY_PROBLEMS.unsupported,
    ]);
  });

  it('refuses pasted private keys, whatever their format', () => {
    for (const text of [
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxyz\n-----END RSA PRIVATE KEY-----',
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDxyz\n-----END EC PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIxyz\n-----END PRIVATE KEY-----',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0BBQ0wPDAb\n-----END ENCRYPTED PRIVATE KEY-----',
      'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: me\nPublic-Lines: 2\n',
      `${ED25519}\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----`,
    ]) {
      expect(refusal(text)).toEqual([SSH_KEY_PROBLEMS.privateKey]);
    }
  });

  it('refuses several keys in one field', () => {
    expect(refusal(`${ED25519}\n${ed25519Line('other')}`)).toEqual([SSH_KEY_PROBLEMS.multiple]);
    expect(refusal(`${ED25519_KEY} ${ed25519Line('other')}`)).toEqual([SSH_KEY_PROBLEMS.multiple]);
  });

  it('refuses empty input, garbage and keys in another format', () => {
    expect(refusal('  \r\n\t')).toEqual([SSH_KEY_PROBLEMS.empty]);
    for (const text of [
      'hello world',
      'AAAAC3NzaC1lZDI1NTE5AAAAIIpBLKG+4VtOtFrZddssxjprrPIUPanT3GDWcVdA7Qtc',
      'from="10.0.0.1 ssh-ed25519 AAAA',
    ]) {
      expect(refusal(text)).toEqual([SSH_KEY_PROBLEMS.notAKey]);
    }
    expect(refusal('ssh-ed25519')).toEqual([SSH_KEY_PROBLEMS.notAKey]);
    expect(
      refusal(
        '---- BEGIN SSH2 PUBLIC KEY ----\nAAAAC3NzaC1lZDI1NTE5\n---- END SSH2 PUBLIC KEY ----',
      ),
    ).toEqual([SSH_KEY_PROBLEMS.rfc4716]);
  });

  it('refuses truncated, padded-wrong or garbled base64, and blobs with bytes missing or left over', () => {
    const base64 = ED25519_KEY.split(' ')[1];
    const blob = Buffer.from(base64, 'base64');
    for (const broken of [
      base64.slice(0, -4),
      base64.slice(0, -1),
      `${base64.slice(0, 20)}!${base64.slice(21)}`,
      Buffer.concat([blob, Buffer.from([0])]).toString('base64'),
      blob.subarray(0, blob.length - 1).toString('base64'),
      Buffer.from('not a key at all').toString('base64'),
    ]) {
      expect(refusal(`ssh-ed25519 ${broken}`)).toEqual([SSH_KEY_PROBLEMS.corrupt]);
    }
  });

  it('refuses a blob of another type than declared, or of another curve', () => {
    expect(refusal(ED25519.replace('ssh-ed25519', 'ssh-rsa'))).toEqual([
      SSH_KEY_PROBLEMS.typeMismatch,
    ]);
    const p256 = ecdsaLine('nistp256');
    expect(refusal(p256.replace('ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384'))).toEqual([
      SSH_KEY_PROBLEMS.typeMismatch,
    ]);
    const wrongCurve = blobOf(
      'ecdsa-sha2-nistp256',
      sshString('nistp384'),
      sshString(ecdsaPoint('nistp256')),
    );
    expect(refusal(keyLine(wrongCurve, 'ecdsa-sha2-nistp256'))).toEqual([
      SSH_KEY_PROBLEMS.typeMismatch,
    ]);
  });

  it('refuses key material of the wrong size or off its curve', () => {
    const shortEd25519 = blobOf('ssh-ed25519', sshString(Buffer.alloc(31, 1)));
    expect(refusal(keyLine(shortEd25519, 'ssh-ed25519'))).toEqual([SSH_KEY_PROBLEMS.corrupt]);
    const point = ecdsaPoint('nistp256');
    point[point.length - 1] ^= 1;
    const offCurve = blobOf('ecdsa-sha2-nistp256', sshString('nistp256'), sshString(point));
    expect(refusal(keyLine(offCurve, 'ecdsa-sha2-nistp256'))).toEqual([SSH_KEY_PROBLEMS.corrupt]);
    const negativeModulus = blobOf(
      'ssh-rsa',
      sshMpint(Buffer.from([1, 0, 1])),
      sshString(Buffer.alloc(256, 0xff)),
    );
    expect(refusal(keyLine(negativeModulus, 'ssh-rsa'))).toEqual([SSH_KEY_PROBLEMS.corrupt]);
    const securityKeyWithoutApplication = blobOf(
      'sk-ssh-ed25519@openssh.com',
      sshString(Buffer.alloc(32, 1)),
    );
    expect(refusal(keyLine(securityKeyWithoutApplication, 'sk-ssh-ed25519@openssh.com'))).toEqual([
      SSH_KEY_PROBLEMS.corrupt,
    ]);
  });

  it('refuses comments with control characters or longer than 1000 characters', () => {
    expect(refusal(`${ED25519_KEY} bad\u0000comment`)).toEqual([SSH_KEY_PROBLEMS.commentControl]);
    expect(parseSshPublicKey(`${ED25519_KEY} ${'c'.repeat(1000)}`).comment).toHaveLength(1000);
    expect(refusal(`${ED25519_KEY} ${'c'.repeat(1001)}`)).toEqual([
      SSH_KEY_PROBLEMS.commentTooLong,
    ]);
  });
});
