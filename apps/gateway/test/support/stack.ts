import { createHash, randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PostgresEventStore, type Position, type RecordedEvent } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient, SERVICE_LISTENING_MESSAGE } from '@orgplane/messaging';
import {
  dropSchema,
  startNatsServer,
  startServiceProcess,
  testDatabaseUrl,
  uniqueSchemaName,
  type LogLine,
  type RunningNatsServer,
  type ServiceProcess,
} from '@orgplane/testing';
import { createGateway } from '../../src/bootstrap';

/** A service process, ready once it logs that it listens on NATS. */
export function startService(
  service: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  return startServiceProcess(service, env, {
    isReady: (line: LogLine) => line.msg === SERVICE_LISTENING_MESSAGE,
  });
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** sent as `Authorization: Bearer <token>` */
  token?: string;
  /** sent as JSON */
  json?: unknown;
  /** sent as is, with `headers` saying what it is */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** which gateway instance answers (index into `Stack.gateways`); default the first */
  gateway?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** the parsed JSON body; a file (an attachment, such as an export) as its text */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions pick fields
}

export interface StackOptions {
  membershipInstances: number;
  requestTimeoutMs: number;
  consistencyWaitMs: number;
  /** the services' PostgreSQL; default the machine's test database */
  databaseUrl?: string;
  /** gateway instances, all in this process; default 1 */
  gatewayInstances?: number;
  /** more gateway configuration (rate limits, cache bounds, ...) */
  gatewayEnv?: Record<string, string>;
  /** more identity configuration (a signing key the test also holds, WorkOS, ...) */
  identityEnv?: Record<string, string>;
  /** the services' LOG_LEVEL; default info */
  serviceLogLevel?: string;
  /** the gateways log at this level into `gatewayLogs`; by default they log nothing */
  gatewayLogLevel?: string;
}

/**
 * The one platform service the stack's vault resolves secrets for: it runs `tools`, and presents
 * `credential` in MESSAGE_HEADERS.serviceCredential.
 */
export interface SecretsResolver {
  service: string;
  usage: 'tools';
  credential: string;
}

/**
 * The one platform service the stack's resources service takes registrations from: it presents
 * `credential` (`<service>:<token>`) in MESSAGE_HEADERS.serviceCredential.
 */
export interface ResourceRegistrar {
  service: string;
  credential: string;
}

/**
 * A whole Orgplane for one test file: a private nats-server, the services as real processes
 * (each in its own schemas of the test database), and the gateway in this process, listening on
 * a free port and reached over HTTP.
 */
export class Stack {
  private constructor(
    readonly nats: RunningNatsServer,
    readonly gateways: NestFastifyApplication[],
    private readonly baseUrls: string[],
    readonly identity: ServiceProcess,
    readonly membership: ServiceProcess[],
    /** the running one last; those before it were restarted (their logs still count) */
    private readonly keysInstances: ServiceProcess[],
    /** the running one last; those before it were restarted (their logs still count) */
    private readonly secretsVaults: ServiceProcess[],
    /** the running one last; those before it were restarted (their logs still count) */
    private readonly resourcesInstances: ServiceProcess[],
    /** the audit log and history replay, over every service's events */
    readonly audit: ServiceProcess,
    /** the services' event store, read directly to count what was written */
    readonly store: PostgresEventStore,
    readonly databaseUrl: string,
    /** the event store's schema, then each service's read-model schema, then the vault's key store */
    readonly schemas: string[],
    /** the vault's wrapped keys: deleting a row there is crypto-shredding */
    readonly keyStoreSchema: string,
    readonly secretsResolver: SecretsResolver,
    readonly resourceRegistrar: ResourceRegistrar,
    /**
     * A platform service talking to the services over NATS directly (registering resources as
     * the stack's registrar, asking `resources.v1.authorize`); it waits for every position it saw.
     */
    readonly platform: ReadYourWritesClient,
    private readonly membershipEnv: Record<string, string>,
    /** the running vault's configuration; a restart may change it (restartSecretsVault) */
    private secretsVaultEnv: Record<string, string>,
    private readonly resourcesEnv: Record<string, string>,
    private readonly keysEnv: Record<string, string>,
    /** every line the gateways logged (see StackOptions.gatewayLogLevel) */
    readonly gatewayLogs: string[],
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const url = options.databaseUrl ?? testDatabaseUrl();
    const nats = await startNatsServer();
    const eventStoreSchema = uniqueSchemaName('e2e_events');
    const identitySchema = uniqueSchemaName('e2e_identity');
    const membershipSchema = uniqueSchemaName('e2e_membership');
    const keysSchema = uniqueSchemaName('e2e_keys');
    const vaultSchema = uniqueSchemaName('e2e_vault');
    const keyStoreSchema = uniqueSchemaName('e2e_vault_keys');
    const resourcesSchema = uniqueSchemaName('e2e_resources');
    const auditSchema = uniqueSchemaName('e2e_audit');
    const resolverToken = randomBytes(24).toString('base64url');
    const secretsResolver: SecretsResolver = {
      service: 'test-runner',
      usage: 'tools',
      credential: `test-runner:${resolverToken}`,
    };
    const registrarToken = randomBytes(24).toString('base64url');
    const resourceRegistrar: ResourceRegistrar = {
      service: 'test-platform',
      credential: `test-platform:${registrarToken}`,
    };
    const env = {
      NATS_URL: nats.url,
      DATABASE_URL: url,
      DATABASE_POOL_MAX: '4',
      EVENTSTORE_SCHEMA: eventStoreSchema,
      CONSISTENCY_WAIT_MS: String(options.consistencyWaitMs),
      SHUTDOWN_GRACE_MS: '200',
      LOG_LEVEL: options.serviceLogLevel ?? 'info',
    };
    const membershipEnv = { ...env, READ_MODEL_SCHEMA: membershipSchema };
    const secretsVaultEnv = {
      ...env,
      READ_MODEL_SCHEMA: vaultSchema,
      KEY_STORE_SCHEMA: keyStoreSchema,
      SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
      SECRETS_RESOLVERS: `${secretsResolver.service}:${secretsResolver.usage}:${sha256Hex(resolverToken)}`,
    };
    const keysEnv = { ...env, READ_MODEL_SCHEMA: keysSchema };
    const resourcesEnv = {
      ...env,
      READ_MODEL_SCHEMA: resourcesSchema,
      RESOURCES_REGISTRARS: `${resourceRegistrar.service}:${sha256Hex(registrarToken)}`,
    };
    const [identity, keys, secretsVault, resources, audit, ...membership] = await Promise.all([
      startService('identity', {
        ...env,
        READ_MODEL_SCHEMA: identitySchema,
        ...options.identityEnv,
      }),
      startService('keys', keysEnv),
      startService('secrets-vault', secretsVaultEnv),
      startService('resources', resourcesEnv),
      startService('audit', { ...env, READ_MODEL_SCHEMA: auditSchema }),
      ...Array.from({ length: options.membershipInstances }, () =>
        startService('membership', membershipEnv),
      ),
    ]);
    const gatewayLogs: string[] = [];
    const gateways = await Promise.all(
      Array.from({ length: options.gatewayInstances ?? 1 }, async () => {
        const { app } = await createGateway(
          {
            NATS_URL: nats.url,
            LOG_LEVEL: options.gatewayLogLevel ?? 'silent',
            REQUEST_TIMEOUT_MS: String(options.requestTimeoutMs),
            // Every test signs in from 127.0.0.1: limits are the rate-limit tests' business.
            RATE_LIMIT_PER_MINUTE: '1000000',
            RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
            ...options.gatewayEnv,
          },
          { write: (line: string) => void gatewayLogs.push(line) },
        );
        await app.listen(0, '127.0.0.1');
        return app;
      }),
    );
    const store = await PostgresEventStore.create({
      connectionString: url,
      schema: eventStoreSchema,
      poolSize: 2,
    });
    const platform = await ReadYourWritesClient.connect(
      nats.url,
      resourceRegistrar.service,
      createLogger(resourceRegistrar.service, 'silent'),
    );
    return new Stack(
      nats,
      gateways,
      await Promise.all(gateways.map((app) => app.getUrl())),
      identity,
      membership,
      [keys],
      [secretsVault],
      [resources],
      audit,
      store,
      url,
      [
        eventStoreSchema,
        identitySchema,
        membershipSchema,
        keysSchema,
        vaultSchema,
        resourcesSchema,
        auditSchema,
        keyStoreSchema,
      ],
      keyStoreSchema,
      secretsResolver,
      resourceRegistrar,
      platform,
      membershipEnv,
      secretsVaultEnv,
      resourcesEnv,
      keysEnv,
      gatewayLogs,
    );
  }

  /** One more membership instance on the same schemas, stopped with the others. */
  async startMembershipInstance(): Promise<ServiceProcess> {
    const instance = await startService('membership', this.membershipEnv);
    this.membership.push(instance);
    return instance;
  }

  get secretsVault(): ServiceProcess {
    return this.secretsVaults.at(-1)!;
  }

  /** The vault's configuration (master keys included), as the next restart would use it. */
  get secretsVaultSettings(): Readonly<Record<string, string>> {
    return { ...this.secretsVaultEnv };
  }

  /**
   * Stops the vault and starts it again with the same configuration, but for `changes` (a master
   * key rotation, say), which later restarts keep. With `killed`, the vault gets SIGKILL, as a
   * crash: nothing of its own shutdown runs.
   */
  async restartSecretsVault(
    changes: Record<string, string> = {},
    { killed = false }: { killed?: boolean } = {},
  ): Promise<void> {
    this.secretsVaultEnv = { ...this.secretsVaultEnv, ...changes };
    await restart('secrets-vault', this.secretsVaults, this.secretsVaultEnv, killed);
  }

  get resources(): ServiceProcess {
    return this.resourcesInstances.at(-1)!;
  }

  /** Stops the resources service (with `killed`, SIGKILL, as a crash) and starts it again. */
  restartResources({ killed = false }: { killed?: boolean } = {}): Promise<void> {
    return restart('resources', this.resourcesInstances, this.resourcesEnv, killed);
  }

  get keys(): ServiceProcess {
    return this.keysInstances.at(-1)!;
  }

  /** Stops the keys service (with `killed`, SIGKILL, as a crash) and starts it again. */
  restartKeys({ killed = false }: { killed?: boolean } = {}): Promise<void> {
    return restart('keys', this.keysInstances, this.keysEnv, killed);
  }

  /** every service process */
  get services(): ServiceProcess[] {
    return [
      this.identity,
      ...this.membership,
      ...this.keysInstances,
      ...this.secretsVaults,
      ...this.resourcesInstances,
      this.audit,
    ];
  }

  /** the first gateway instance */
  get gateway(): NestFastifyApplication {
    return this.gateways[0];
  }

  async request({
    method,
    path,
    token,
    json,
    body,
    headers,
    gateway = 0,
  }: HttpRequest): Promise<HttpResponse> {
    const response = await fetch(`${this.baseUrls[gateway]}${path}`, {
      method,
      headers: {
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: json !== undefined ? JSON.stringify(json) : body,
    });
    const text = await response.text();
    const file = response.headers.get('content-disposition')?.startsWith('attachment');
    return {
      status: response.status,
      headers: response.headers,
      body: text && !file ? JSON.parse(text) : text || null,
    };
  }

  async signIn(email: string): Promise<{ token: string; userId: string }> {
    const response = await this.request({
      method: 'POST',
      path: '/v1/auth/dev/sign-in',
      json: { email },
    });
    if (response.status !== 200)
      throw new Error(`sign-in failed: ${JSON.stringify(response.body)}`);
    return { token: response.body.data.accessToken, userId: response.body.data.user.id };
  }

  /** The newest position in the event store: unchanged means nothing was written. */
  head(): Promise<Position | null> {
    return this.store.headPosition();
  }

  /**
   * The events appended after `since` by the request with this id, or by what it caused: where
   * other writes (a reaction to an earlier request) may land meanwhile, a request's own.
   */
  async writtenBy(requestId: string, since: Position | null): Promise<RecordedEvent[]> {
    const events = await this.store.readAll({ fromPosition: since ?? 'start' });
    return events.filter(
      ({ metadata }) => metadata.requestId === requestId || metadata.correlationId === requestId,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.gateways.map((app) => app.close()));
    await this.platform.close();
    const processes = this.services;
    for (const service of processes) service.thaw();
    await Promise.all(processes.map((service) => service.stop()));
    await this.store.close();
    await this.nats.stop();
    for (const schema of this.schemas) await dropSchema(this.databaseUrl, schema);
  }
}

/**
 * Ends the last of `instances` (SIGTERM, or SIGKILL when `killed`) and appends a new process of
 * `service` with `env`, once it is ready.
 */
async function restart(
  service: string,
  instances: ServiceProcess[],
  env: Record<string, string>,
  killed: boolean,
): Promise<void> {
  const running = instances.at(-1)!;
  await (killed ? running.kill() : running.stop());
  instances.push(await startService(service, env));
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
