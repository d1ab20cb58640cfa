import { createHash, createPublicKey } from 'node:crypto';
import { ServiceError } from '@orgplane/util';

/** An OpenSSH public key as registered: what `ssh-keygen -lf` would say about it. */
export interface SshPublicKey {
  keyType: SshKeyType;
  /** `<type> <base64>`: no options, no comment */
  publicKey: string;
  /** `SHA256:` + unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -lf` prints it */
  fingerprint: string;
  /** as `ssh-keygen -lf` prints them */
  bits: number;
  comment: string | null;
}

const SSH_KEY_COMMENT_MAX_LENGTH = 1000;
const RSA_MIN_BITS = 2048;
/** OpenSSH refuses larger moduli (SSHBUF_MAX_BIGNUM). */
const RSA_MAX_BITS = 16_384;

interface Curve {
  name: string;
  /** the JWK name, for node's point validation */
  jwk: string;
  bits: number;
}
const NISTP256: Curve = { name: 'nistp256', jwk: 'P-256', bits: 256 };
const NISTP384: Curve = { name: 'nistp384', jwk: 'P-384', bits: 384 };
const NISTP521: Curve = { name: 'nistp521', jwk: 'P-521', bits: 521 };

/**
 * The fields each accepted type's blob holds after its type name (RFC 4253, RFC 5656, RFC 8709,
 * OpenSSH's PROTOCOL.u2f). Security keys (`sk-`) add the FIDO application (`ssh:` usually).
 */
type Layout =
  | { kind: 'ed25519'; securityKey: boolean }
  | { kind: 'ecdsa'; curve: Curve; securityKey: boolean }
  | { kind: 'rsa' };

const LAYOUTS = {
  'ssh-ed25519': { kind: 'ed25519', securityKey: false },
  'ecdsa-sha2-nistp256': { kind: 'ecdsa', curve: NISTP256, securityKey: false },
  'ecdsa-sha2-nistp384': { kind: 'ecdsa', curve: NISTP384, securityKey: false },
  'ecdsa-sha2-nistp521': { kind: 'ecdsa', curve: NISTP521, securityKey: false },
  'ssh-rsa': { kind: 'rsa' },
  'sk-ssh-ed25519@openssh.com': { kind: 'ed25519', securityKey: true },
  'sk-ecdsa-sha2-nistp256@openssh.com': { kind: 'ecdsa', curve: NISTP256, securityKey: true },
} as const satisfies Record<string, Layout>;

export type SshKeyType = keyof typeof LAYOUTS;

/**
 * The messages of refusals. None repeats any of the input: a refused key (a private key above
 * all) must not travel back, nor reach a log line through the error.
 */
export const SSH_KEY_PROBLEMS = {
  empty: 'Must not be empty',
  privateKey: 'This is a private key: paste the public key (.pub) instead',
  rfc4716:
    'This is an SSH2 (RFC 4716) public key: paste it in OpenSSH format (ssh-keygen -i -f key.pub prints it)',
  multiple: 'Paste one public key only',
  dsa: 'DSA keys are not accepted',
  shortRsa: `RSA keys need at least ${RSA_MIN_BITS} bits`,
  unsupported:
    'Unsupported key type: use ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (2048 bits or more), sk-ssh-ed25519@openssh.com or sk-ecdsa-sha2-nistp256@openssh.com',
  notAKey: 'Not an OpenSSH public key: expected "<type> <base64 key> [comment]"',
  corrupt: 'The key data is truncated or corrupted',
  typeMismatch: 'The key data does not match its declared type',
  commentTooLong: `The comment must be at most ${SSH_KEY_COMMENT_MAX_LENGTH} characters`,
  commentControl: 'The comment must not contain control characters',
} as const;

const PRIVATE_KEY_MARKERS = [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, /PuTTY-User-Key-File-/];
const RFC4716_MARKER = /---- BEGIN SSH2 PUBLIC KEY ----/;
/** What the first word of a key line looks like: `ssh-…`, `ecdsa-…`, `sk-…` and the like. */
const KEY_TYPE_SHAPE = /^(ssh|ecdsa|sk|rsa|x509v3)-[\w@.-]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** A second key on the same line, where the comment would be. */
const ANOTHER_KEY = /(^|\s)(ssh|ecdsa|sk)-[\w@.-]+\s+AAAA[A-Za-z0-9+/]/;
/** Tab is tolerated inside a comment, as OpenSSH does; other control characters are not. */
const COMMENT_CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

class Refused extends Error {
  constructor(readonly problem: string) {
    super(problem);
  }
}

/**
 * Reads one OpenSSH public key line, as in `authorized_keys`: optional options (`from="…",no-pty`),
 * the type, the base64 key blob, an optional comment; leading and trailing whitespace, tabs and
 * CRLF line ends are tolerated. The blob is parsed in the SSH wire format and must declare the same
 * type, carry exactly that type's fields and nothing after them. Refusals are a 400 on
 * `publicKey` that never repeats the input.
 */
export function parseSshPublicKey(text: string): SshPublicKey {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof Refused) throw ServiceError.validation({ publicKey: [error.problem] });
    throw error;
  }
}

function parse(text: string): SshPublicKey {
  if (PRIVATE_KEY_MARKERS.some((marker) => marker.test(text))) {
    throw new Refused(SSH_KEY_PROBLEMS.privateKey);
  }
  if (RFC4716_MARKER.test(text)) throw new Refused(SSH_KEY_PROBLEMS.rfc4716);
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 0) throw new Refused(SSH_KEY_PROBLEMS.empty);
  if (lines.length > 1) throw new Refused(SSH_KEY_PROBLEMS.multiple);

  const [typeName, base64, comment] = fields(withoutOptions(lines[0]));
  if (typeName === 'ssh-dss') throw new Refused(SSH_KEY_PROBLEMS.dsa);
  if (!Object.hasOwn(LAYOUTS, typeName)) {
    throw new Refused(
      KEY_TYPE_SHAPE.test(typeName) ? SSH_KEY_PROBLEMS.unsupported : SSH_KEY_PROBLEMS.notAKey,
    );
  }
  const keyType = typeName as SshKeyType;
  if (!base64) throw new Refused(SSH_KEY_PROBLEMS.notAKey);
  const blob = decodeBase64(base64);
  const bits = bitsOf(keyType, blob);
  return {
    keyType,
    publicKey: `${keyType} ${blob.toString('base64')}`,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    bits,
    comment: validComment(comment),
  };
}

/**
 * `authorized_keys` lines may start with options, which OpenSSH skips when the first word is not a
 * key type: up to the first blank outside double quotes (`command="echo a b"`), `\"` escaping a
 * quote. They restrict a key on one server; the platform has its own rules, so they are dropped.
 */
function withoutOptions(line: string): string {
  const firstWord = line.split(/[ \t]/, 1)[0];
  if (KEY_TYPE_SHAPE.test(firstWord)) return line;
  let quoted = false;
  let index = 0;
  for (; index < line.length; index++) {
    const character = line[index];
    if (!quoted && (character === ' ' || character === '\t')) break;
    if (character === '\\' && line[index + 1] === '"') index++;
    else if (character === '"') quoted = !quoted;
  }
  if (quoted) throw new Refused(SSH_KEY_PROBLEMS.notAKey);
  return line.slice(index).trimStart();
}

/** Type, base64 blob, and the comment (the rest of the line, inner blanks kept) if any. */
function fields(line: string): [string, string | undefined, string | undefined] {
  const match = /^(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(.*))?$/.exec(line);
  if (!match) throw new Refused(SSH_KEY_PROBLEMS.notAKey);
  return [match[1], match[2], match[3]];
}

/** Strict base64: what does not re-encode to itself is not the blob ssh-keygen wrote. */
function decodeBase64(text: string): Buffer {
  if (!BASE64.test(text) || text.length % 4 !== 0) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
  const blob = Buffer.from(text, 'base64');
  if (blob.toString('base64') !== text) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
  return blob;
}

function validComment(comment: string | undefined): string | null {
  if (comment === undefined || comment.length === 0) return null;
  if (ANOTHER_KEY.test(comment)) throw new Refused(SSH_KEY_PROBLEMS.multiple);
  if (COMMENT_CONTROL_CHARACTERS.test(comment) || /\p{Surrogate}/u.test(comment)) {
    throw new Refused(SSH_KEY_PROBLEMS.commentControl);
  }
  if ([...comment].length > SSH_KEY_COMMENT_MAX_LENGTH) {
    throw new Refused(SSH_KEY_PROBLEMS.commentTooLong);
  }
  return comment;
}

/** Walks the blob's fields and returns the key's size as `ssh-keygen -lf` prints it. */
function bitsOf(keyType: SshKeyType, blob: Buffer): number {
  const reader = new WireReader(blob);
  if (reader.string().toString('latin1') !== keyType) {
    throw new Refused(SSH_KEY_PROBLEMS.typeMismatch);
  }
  const layout: Layout = LAYOUTS[keyType];
  let bits: number;
  switch (layout.kind) {
    case 'ed25519': {
      if (reader.string().length !== 32) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
      bits = 256;
      break;
    }
    case 'ecdsa': {
      const { curve } = layout;
      if (reader.string().toString('latin1') !== curve.name) {
        throw new Refused(SSH_KEY_PROBLEMS.typeMismatch);
      }
      checkCurvePoint(curve, reader.string());
      bits = curve.bits;
      break;
    }
    case 'rsa': {
      const exponentBits = reader.mpintBits();
      bits = reader.mpintBits();
      if (exponentBits < 2 || bits > RSA_MAX_BITS) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
      if (bits < RSA_MIN_BITS) throw new Refused(SSH_KEY_PROBLEMS.shortRsa);
      break;
    }
  }
  if (layout.kind !== 'rsa' && layout.securityKey) reader.string();
  reader.end();
  return bits;
}

/**
 * An uncompressed point (`04 ‖ X ‖ Y`) that lies on the curve, which OpenSSH checks too: any other
 * bytes are not a key at all.
 */
function checkCurvePoint(curve: Curve, point: Buffer): void {
  const size = Math.ceil(curve.bits / 8);
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) {
    throw new Refused(SSH_KEY_PROBLEMS.corrupt);
  }
  try {
    createPublicKey({
      key: {
        kty: 'EC',
        crv: curve.jwk,
        x: point.subarray(1, 1 + size).toString('base64url'),
        y: point.subarray(1 + size).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    throw new Refused(SSH_KEY_PROBLEMS.corrupt);
  }
}

/** The SSH wire format (RFC 4251 §5): length-prefixed strings and mpints. */
class WireReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.buffer.length) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
    const length = this.buffer.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (length > this.buffer.length - start) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
    this.offset = start + length;
    return this.buffer.subarray(start, this.offset);
  }

  /** The bit length of a non-negative mpint (leading zero bytes allowed, as OpenSSH allows). */
  mpintBits(): number {
    const bytes = this.string();
    if (bytes.length > 0 && (bytes[0] & 0x80) !== 0) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
    let first = 0;
    while (first < bytes.length && bytes[first] === 0) first++;
    if (first === bytes.length) return 0;
    return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]));
  }

  /** Nothing may follow the last field. */
  end(): void {
    if (this.offset !== this.buffer.length) throw new Refused(SSH_KEY_PROBLEMS.corrupt);
  }
}
