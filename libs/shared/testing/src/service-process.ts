import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

export type LogLine = Record<string, unknown> & { msg?: string; requestId?: string };

export interface ServiceProcess {
  service: string;
  pid: number;
  /** from the line that said it was ready */
  instanceId: string;
  /** every JSON line the process wrote to stdout so far */
  readonly logs: LogLine[];
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
 * takes requests. Rejects with its stderr if it exits first (a configuration error, say).
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
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  return new Promise<ServiceProcess>((resolveStarted, rejectStarted) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStarted(new Error(`${service} did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      rejectStarted(new ServiceExitedError(service, code, stderr));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
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
