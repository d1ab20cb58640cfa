import {
  apiKeyStreamName,
  dataKeyStreamName,
  keyEvents,
  memberPreferenceEvents,
  memberPreferencesStreamName,
  organizationEvents,
  organizationStreamName,
  resourceEvents,
  secretAccessStreamName,
  secretEvents,
  secretStreamName,
  sshKeyStreamName,
  userEvents,
  userStreamName,
  type EventCatalog,
  type KeyEvent,
  type MemberPreferenceEvent,
  type OrganizationEvent,
  type ResourceEvent,
  type SecretEvent,
  type UserEvent,
} from '@orgplane/contracts';
import type { Actor, EventMetadata, JsonObject, NewEvent } from '@orgplane/event-store';
import { createHash, randomUUID } from 'node:crypto';

/**
 * Events of every service, built with the contracts' catalogs (so they are valid as the services
 * would append them), for the audit log's specs and its catch-up bench.
 */
export interface StreamEvent {
  streamName: string;
  event: NewEvent & { id: string };
}

export interface EventContext {
  orgId: string | null;
  actor: Actor;
  requestId?: string;
  /** the event a reaction answers; a request's own id otherwise */
  causationId?: string;
  ip?: string;
  userAgent?: string;
}

function encoded<Event extends { type: string; data: unknown }>(
  catalog: EventCatalog<Event>,
  streamName: string,
  event: Event,
  context: EventContext,
): StreamEvent {
  const { type, schemaVersion, data } = catalog.encode(event);
  const requestId = context.requestId ?? `req_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const metadata: EventMetadata = {
    orgId: context.orgId,
    actor: context.actor,
    requestId,
    correlationId: requestId,
    causationId: context.causationId ?? requestId,
    ...(context.ip ? { ip: context.ip } : {}),
    ...(context.userAgent ? { userAgent: context.userAgent } : {}),
  };
  return {
    streamName,
    event: { id: randomUUID(), type, schemaVersion, data: data as JsonObject, metadata },
  };
}

export const serviceEvents = {
  organization: (organizationId: string, event: OrganizationEvent, context: EventContext) =>
    encoded(organizationEvents, organizationStreamName(organizationId), event, context),
  preference: (userId: string, event: MemberPreferenceEvent, context: EventContext) =>
    encoded(memberPreferenceEvents, memberPreferencesStreamName(userId), event, context),
  user: (userId: string, event: UserEvent, context: EventContext) =>
    encoded(userEvents, userStreamName(userId), event, context),
  apiKey: (keyId: string, event: KeyEvent, context: EventContext) =>
    encoded(keyEvents, apiKeyStreamName(keyId), event, context),
  sshKey: (sshKeyId: string, event: KeyEvent, context: EventContext) =>
    encoded(keyEvents, sshKeyStreamName(sshKeyId), event, context),
  secret: (secretId: string, event: SecretEvent, context: EventContext) =>
    encoded(secretEvents, secretStreamName(secretId), event, context),
  secretAccess: (secretId: string, event: SecretEvent, context: EventContext) =>
    encoded(secretEvents, secretAccessStreamName(secretId), event, context),
  dataKey: (organizationId: string, event: SecretEvent, context: EventContext) =>
    encoded(secretEvents, dataKeyStreamName(organizationId), event, context),
  resource: (streamName: string, event: ResourceEvent, context: EventContext) =>
    encoded(resourceEvents, streamName, event, context),
};

export const userActor = (userId: string): Actor => ({ type: 'user', id: userId });
export const apiKeyActor = (keyId: string, userId: string): Actor => ({
  type: 'api_key',
  id: keyId,
  userId,
});
export const systemActor = (component: string): Actor => ({ type: 'system', id: component });

/** A sealed value as the vault stores it (random bytes: nothing here is a real secret). */
export function sealedValue(): { keyId: string; nonce: string; ciphertext: string; tag: string } {
  const base64 = (length: number) =>
    Buffer.from(Array.from({ length }, () => Math.floor(Math.random() * 256))).toString('base64');
  return { keyId: randomUUID(), nonce: base64(12), ciphertext: base64(48), tag: base64(16) };
}

export const keyHashOf = (text: string) => createHash('sha256').update(text).digest('hex');
