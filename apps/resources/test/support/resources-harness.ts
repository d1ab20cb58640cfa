import type { INestMicroservice } from '@nestjs/common';
import {
  MEMBERSHIP_SUBJECTS,
  type Caller,
  type OrganizationView,
  type OrganizationRole,
  type ServiceReply,
  type StoredEventShape,
} from '@orgplane/contracts';
import { PostgresEventStore, type EventMetadata, type JsonObject } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient, SERVICE_LISTENING_MESSAGE } from '@orgplane/messaging';
import {
  dropSchema,
  memberCaller,
  startNatsServer,
  startServiceProcess,
  testDatabaseUrl,
  uniqueSchemaName,
  type RunningNatsServer,
  type ServiceProcess,
} from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { startResources } from '../../src/bootstrap';

/**
 * The resources service in this process, with the membership service for real in its own (as in
 * production), on one NATS server and one event store: organizations and members come from
 * membership's subjects, so the reactions run from real events.
 */
export interface ResourcesHarness {
  store: PostgresEventStore;
  /** every read sees every write before it, the events appended directly included */
  call<Data>(subject: string, payload: unknown, as: Caller | null): Promise<Data>;
  /** The whole reply (a list's page too); `serviceCredential` for a platform service's request. */
  request<Data>(
    subject: string,
    payload: unknown,
    as: Caller | null,
    options?: { serviceCredential?: string },
  ): Promise<ServiceReply<Data>>;
  /** Events as another service would have appended them; later reads see them. */
  append(streamName: string, events: StoredEventShape[]): Promise<void>;
  /** Through membership: `creator` is its Admin. */
  createOrganization(creator: string, name?: string): Promise<OrganizationView>;
  /** The directory (WorkOS) makes `userId` a member through membership. */
  join(organizationId: string, userId: string, role?: OrganizationRole): Promise<Caller>;
  /** The directory (WorkOS) ends `userId`'s membership through membership. */
  leave(organizationId: string, userId: string): Promise<void>;
  /** How many events the store holds. */
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startResourcesHarness(
  name: string,
  env: Record<string, string> = {},
): Promise<ResourcesHarness> {
  const url = testDatabaseUrl();
  const schemas = ['events', 'read', 'membership'].map((part) =>
    uniqueSchemaName(`${name}_${part}`),
  );
  const [eventStoreSchema, readModelSchema, membershipSchema] = schemas;
  const nats: RunningNatsServer = await startNatsServer();
  const shared = {
    NATS_URL: nats.url,
    DATABASE_URL: url,
    EVENTSTORE_SCHEMA: eventStoreSchema,
    SHUTDOWN_GRACE_MS: '0',
  };
  const membership: ServiceProcess = await startServiceProcess(
    'membership',
    { ...shared, READ_MODEL_SCHEMA: membershipSchema, LOG_LEVEL: 'info' },
    { isReady: (line) => line.msg === SERVICE_LISTENING_MESSAGE },
  );
  const resources: INestMicroservice = await startResources({
    ...shared,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    READ_MODEL_SCHEMA: readModelSchema,
    ...env,
  });
  const store = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 2,
  });
  const client = await ReadYourWritesClient.connect(
    nats.url,
    `${name}-spec`,
    createLogger(`${name}-spec`, 'silent'),
  );

  async function call<Data>(subject: string, payload: unknown, as: Caller | null) {
    return (await client.request<Data>(subject, payload, as)).data;
  }

  return {
    store,
    call,
    request: (subject, payload, as, options) => client.request(subject, payload, as, options),
    async append(streamName, events) {
      const { position } = await store.append(
        streamName,
        events.map((event) => ({ ...event, data: event.data as JsonObject, metadata: spec() })),
      );
      client.saw(position);
    },
    createOrganization(creator, organizationName = 'Acme') {
      return call<OrganizationView>(
        MEMBERSHIP_SUBJECTS.createOrganization,
        { name: organizationName },
        { type: 'user', userId: creator },
      );
    },
    async join(organizationId, userId, role = 'member') {
      await call(MEMBERSHIP_SUBJECTS.syncMembership, { organizationId, userId, role }, null);
      return memberCaller(userId, organizationId, role);
    },
    async leave(organizationId, userId) {
      await call(MEMBERSHIP_SUBJECTS.syncMembership, { organizationId, userId, role: null }, null);
    },
    async eventCount() {
      return (await store.readAll()).length;
    },
    async close() {
      await resources?.close();
      await membership?.stop();
      await client?.close();
      await store?.close();
      await nats?.stop();
      for (const schema of schemas) await dropSchema(url, schema);
    },
  };
}

function spec(): EventMetadata {
  const id = newId();
  return {
    orgId: null,
    actor: { type: 'system', id: 'resources-spec' },
    requestId: id,
    correlationId: id,
    causationId: id,
  };
}
