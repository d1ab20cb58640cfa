import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

/** How much of each stream a ServiceProcess keeps: its newest text, up to this many characters. */
export const OUTPUT_KEPT_CHARACTERS = 32 * 1024 * 1024;

/**
 * What a process wrote to one stream, as text, JSON or not: what a scan of everything it printed
 * reads. Bounded, so that a long load test cannot exhaust the test's memory.
 */
export class ProcessOutput {
  private readonly chunks: string[] = [];
  private kept = 0;
  private droppedCharacters = 0;

  constructor(private readonly limit = OUTPUT_KEPT_CHARACTERS) {}

  append(chunk: string): void {
    this.chunks.push(chunk);
    this.kept += chunk.length;
    while (this.kept > this.limit) {
      const excess = this.kept - this.limit;
      const oldest = this.chunks[0];
      if (oldest.length <= excess) {
        this.chunks.shift();
        this.kept -= oldest.length;
        this.droppedCharacters += oldest.length;
      } else {
        this.chunks[0] = oldest.slice(excess);
        this.kept -= excess;
        this.droppedCharacters += excess;
      }
    }
  }

  /** the newest text, at most the limit */
  get text(): string {
    return this.chunks.join('');
  }

  /** how many of the oldest characters are no longer kept: 0 when `text` is all of it */
  get dropped(): number {
    return this.droppedCharacters;
  }
}

export interface ServiceProcess {
  service: string;
  pid: number;
  /** from the line that said it was ready */
  instanceId: string;
  /** every JSON line the process wrote to stdout so far */
  readonly logs: LogLine[];
  /** all it wrote to stdout, JSON lines or not (bounded) */
  readonly stdout: ProcessOutput;
  /** all it wrote to stderr (bounded) */
  readonly stderr: ProcessOutput;
  /** how the process ended (`code 1`, `signal SIGKILL`), or null while it runs */
  readonly ended: string | null;
  /** SIGTERM (graceful shutdown), then the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies on the spot, as in a crash; resolves once it is gone */
  kill(): Promise<void>;
  /** the process stops running (SIGSTOP) without leaving NATS: a hung instance */
  freeze(): void;
  thaw(): void;
}

export interface StartServiceProcessOptions {
  /** recognizes the log line that says the service takes requests; it carries `instanceId` */
  isReady: (line: LogLine) => boolean;
  timeoutMs?: number;
  /**
   * Run the compiled service from dist/ (`npm run build`) as `npm start` does, instead of the
   * TypeScript sources: what memory measurements need, since compiling at run time costs memory.
   */
  compiled?: boolean;
}

/** The node arguments that run a service: compiled as `npm start` runs it, or from source. */
export function serviceArguments(service: string, compiled: boolean): string[] {
  return compiled
    ? [
        ...COMPILED_SERVICE_NODE_FLAGS,
        '-r',
        './tools/dist-resolve.cjs',
        `dist/apps/${service}/src/main.js`,
      ]
    : ['-r', '@swc-node/register', `apps/${service}/src/main.ts`];
}

/** A smaller young generation: an idle control-plane service needs no large allocation buffer. */
const COMPILED_SERVICE_NODE_FLAGS = ['--max-semi-space-size=1'];

/**
 * Runs a service in its own process, as in production, and resolves once it
 * takes requests. Rejects with what it wrote if it exits first (a configuration error, say).
 */
export function startServiceProcess(
  service: string,
  env: Record<string, string>,
  { isReady, timeoutMs = 60_000, compiled = false }: StartServiceProcessOptions,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, serviceArguments(service, compiled), {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const stdout = new ProcessOutput();
  const stderr = new ProcessOutput();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // After 'exit', the pipes may still hold what it wrote last: 'close' waits for them.
  const closed = new Promise<number | null>((done) => child.once('close', (code) => done(code)));

  return new Promise<ServiceProcess>((resolveStarted, rejectStarted) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStarted(new Error(`${service} did not start within ${timeoutMs} ms:\n${stderr.text}`));
    }, timeoutMs);
    void closed.then((code) => {
      clearTimeout(timer);
      rejectStarted(new ServiceExitedError(service, code, stderr.text, stdout.text));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => stderr.append(chunk));

    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout.append(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const text of lines) {
        const line = parseLine(text);
        if (!line) continue;
        logs.push(line);
        if (isReady(line)) {
          clearTimeout(timer);
          resolveStarted({
            service,
            pid: child.pid!,
            instanceId: String(line.instanceId),
            logs,
            stdout,
            stderr,
            get ended() {
              if (child.signalCode !== null) return `signal ${child.signalCode}`;
              return child.exitCode === null ? null : `code ${child.exitCode}`;
            },
            stop: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              return exited;
            },
            kill: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
              await exited;
            },
            freeze: () => child.kill('SIGSTOP'),
            thaw: () => child.kill('SIGCONT'),
          });
        }
      }
    });
  });
}

export class ServiceExitedError extends Error {
  override readonly name = 'ServiceExitedError';
  constructor(
    readonly service: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`${service} exited with code ${exitCode}:\n${stderr}`);
  }
}

function parseLine(text: string): LogLine | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as LogLine) : null;
  } catch {
    return null;
  }
}
