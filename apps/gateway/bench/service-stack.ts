import { SERVICE_LISTENING_MESSAGE } from '@orgplane/messaging';
import {
  dropSchema,
  freePort,
  startNatsServer,
  startServiceProcess,
  uniqueSchemaName,
  type LogLine,
  type RunningNatsServer,
  type ServiceProcess,
} from '@orgplane/testing';

/** NestJS logs this once the HTTP server listens. */
const GATEWAY_LISTENING_MESSAGE = 'Nest application successfully started';

export type ServiceName =
  'identity' | 'membership' | 'resources' | 'secrets-vault' | 'keys' | 'audit' | 'gateway';

/** Keep their state in the database; the others only need NATS. */
const EVENT_SOURCED: readonly ServiceName[] = ['identity', 'membership', 'keys', 'audit'];

/**
 * Orgplane as `npm start` runs it, every service (the gateway too) a process of its own started
 * the way tools/start.mjs starts it, but on a private nats-server and in fresh schemas of the
 * bench database, so a run touches nothing else and leaves nothing behind.
 */
export class ServiceStack {
  readonly processes: ServiceProcess[] = [];
  private readonly schemas: string[];

  private constructor(
    private readonly nats: RunningNatsServer,
    private readonly databaseUrl: string,
    /** the services' event store: benches seed history straight into it */
    readonly eventStoreSchema: string,
    readonly gatewayUrl: string,
    private readonly gatewayPort: number,
  ) {
    this.schemas = [eventStoreSchema];
  }

  static async start(databaseUrl: string, services: readonly ServiceName[]): Promise<ServiceStack> {
    const nats = await startNatsServer();
    const port = await freePort();
    const stack = new ServiceStack(
      nats,
      databaseUrl,
      uniqueSchemaName('httpbench_events'),
      `http://127.0.0.1:${port}`,
      port,
    );
    try {
      // the gateway last: it only needs to find the others answering on NATS
      await Promise.all(
        services.filter((name) => name !== 'gateway').map((name) => stack.startService(name)),
      );
      if (services.includes('gateway')) await stack.startService('gateway');
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** Starts one more instance of a service; instances of one service share its read models. */
  async startService(service: ServiceName): Promise<ServiceProcess> {
    const env: Record<string, string> = { NATS_URL: this.nats.url, LOG_LEVEL: 'info' };
    if (service === 'gateway') {
      Object.assign(env, { PORT: String(this.gatewayPort), HOST: '127.0.0.1' });
    }
    if (EVENT_SOURCED.includes(service)) {
      const readModelSchema = `httpbench_${service}_${this.eventStoreSchema.slice(-12)}`;
      if (!this.schemas.includes(readModelSchema)) this.schemas.push(readModelSchema);
      Object.assign(env, {
        DATABASE_URL: this.databaseUrl,
        EVENTSTORE_SCHEMA: this.eventStoreSchema,
        READ_MODEL_SCHEMA: readModelSchema,
      });
    }
    const started = await startServiceProcess(service, env, {
      compiled: true,
      isReady: (line: LogLine) =>
        line.msg ===
        (service === 'gateway' ? GATEWAY_LISTENING_MESSAGE : SERVICE_LISTENING_MESSAGE),
    });
    this.processes.push(started);
    return started;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((service) => service.stop()));
    await this.nats.stop();
    for (const schema of this.schemas) await dropSchema(this.databaseUrl, schema);
  }
}
