import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceError } from '@orgplane/util';
import { parseSshPublicKey, SSH_KEY_PROBLEMS } from '@orgplane/keys-domain';
import { dsaLine, ecdsaLine, ed25519Line } from '@orgplane/testing';

/**
 * Fingerprints and sizes against the real `ssh-keygen` (openssh-client; `.ci/run` installs it):
 * keys it generates during the run, of every accepted type and several sizes, and variants of
 * their lines with comments, options and odd whitespace, must read exactly as `ssh-keygen -lf`
 * prints them.
 */
jest.setTimeout(60_000);

const run = promisify(execFile);
/** Never waits on a prompt: a question on stdin would otherwise hang the suite. */
function sshKeygen(args: string[]) {
  return run('ssh-keygen', args, { timeout: 30_000 });
}
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'keys-ssh-keygen-'));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

let files = 0;
function fileWith(text: string): string {
  const path = join(folder, `key-${files++}.pub`);
  writeFileSync(path, text);
  return path;
}

/** `ssh-keygen -t … -N '' -C … -f …`: the private key's path (the public one adds `.pub`). */
async function generate(type: string, bits?: number): Promise<string> {
  const path = join(folder, `generated-${files++}`);
  const size = bits === undefined ? [] : ['-b', String(bits)];
  await sshKeygen(['-q', '-t', type, ...size, '-N', '', '-C', `${type}@test`, '-f', path]);
  return path;
}

interface Printed {
  bits: number;
  fingerprint: string;
  /** "no comment" when there is none, as ssh-keygen says it */
  comment: string;
  type: string;
}

/** What `ssh-keygen -lf` prints: `<bits> SHA256:<fingerprint> <comment> (<TYPE>)`. */
async function sshKeygenSays(path: string): Promise<Printed> {
  const { stdout } = await sshKeygen(['-lf', path]);
  const match = /^(\d+) (SHA256:\S+) ([\s\S]*) \(([A-Z0-9-]+)\)\n$/.exec(stdout);
  if (!match) throw new Error(`Unexpected ssh-keygen output: ${stdout}`);
  return { bits: Number(match[1]), fingerprint: match[2], comment: match[3], type: match[4] };
}

/** Reads the text as the service would and checks it against ssh-keygen, byte for byte. */
async function expectParity(text: string, expectedType: string): Promise<void> {
  const printed = await sshKeygenSays(fileWith(text));
  const parsed = parseSshPublicKey(text);
  expect(printed.type).toBe(expectedType);
  expect({ fingerprint: parsed.fingerprint, bits: parsed.bits }).toEqual({
    fingerprint: printed.fingerprint,
    bits: printed.bits,
  });
  // ssh-keygen keeps the blanks and the CR that end a line; the service trims them.
  expect(parsed.comment ?? 'no comment').toBe(printed.comment.trim());
}

function refusedAs(text: string): string[] {
  try {
    parseSshPublicKey(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    return ((error as ServiceError).details?.fields as Record<string, string[]>).publicKey;
  }
  throw new Error('Expected the key to be refused');
}

/** The same key line as a user might paste it. */
function variants(line: string): string[] {
  const [type, base64] = line.trim().split(' ');
  return [
    line,
    `${line}\n`,
    `${type} ${base64}`,
    `${type} ${base64} my laptop  (work)`,
    `  \t${type}\t${base64}   spaced\tcomment  \r\n\r\n`,
    `no-pty,from="10.0.0.1" ${line}`,
    `command="echo \\"hi there\\"",no-port-forwarding ${type} ${base64} ci runner`,
  ];
}

describe('fingerprints and sizes equal ssh-keygen -lf', () => {
  const generated: [string, number | undefined, string][] = [
    ['ed25519', undefined, 'ED25519'],
    ['ecdsa', 256, 'ECDSA'],
    ['ecdsa', 384, 'ECDSA'],
    ['ecdsa', 521, 'ECDSA'],
    ['rsa', 2048, 'RSA'],
    ['rsa', 3072, 'RSA'],
    ['rsa', 4096, 'RSA'],
  ];

  it('for keys ssh-keygen generates, of every type and size, however they are pasted', async () => {
    const paths = await Promise.all(generated.map(([type, bits]) => generate(type, bits)));
    for (const [index, path] of paths.entries()) {
      const line = readFileSync(`${path}.pub`, 'utf8');
      for (const text of variants(line)) await expectParity(text, generated[index][2]);
    }
  });

  it('for security-key public keys built in the wire format (generating needs a token)', async () => {
    const lines: [string, string][] = [
      [ed25519Line('yubikey', { securityKey: true }), 'ED25519-SK'],
      [ecdsaLine('nistp256', 'yubikey', { securityKey: true }), 'ECDSA-SK'],
    ];
    for (const [line, type] of lines) {
      for (const text of variants(line)) await expectParity(text, type);
    }
  });
});

describe('what ssh-keygen generates but the service refuses', () => {
  it('refuses DSA keys', async () => {
    let line: string;
    try {
      line = readFileSync(`${await generate('dsa')}.pub`, 'utf8');
    } catch {
      // Newer OpenSSH builds no longer generate DSA keys: a DSA line built by hand stands in.
      line = dsaLine();
    }
    expect(refusedAs(line)).toEqual([SSH_KEY_PROBLEMS.dsa]);
  });

  it('refuses RSA keys under 2048 bits', async () => {
    const path = await generate('rsa', 1024);
    expect((await sshKeygenSays(`${path}.pub`)).bits).toBe(1024);
    expect(refusedAs(readFileSync(`${path}.pub`, 'utf8'))).toEqual([SSH_KEY_PROBLEMS.shortRsa]);
  });

  it('refuses the private key files, in OpenSSH and PEM formats', async () => {
    const openssh = await generate('ed25519');
    const pem = join(folder, 'pem-rsa');
    await sshKeygen(['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', pem]);
    for (const path of [openssh, pem]) {
      const text = readFileSync(path, 'utf8');
      expect(refusedAs(text)).toEqual([SSH_KEY_PROBLEMS.privateKey]);
      expect(refusedAs(`  ${text.replace(/\n/g, '\r\n')}`)).toEqual([SSH_KEY_PROBLEMS.privateKey]);
    }
  });
});
