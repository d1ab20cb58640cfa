import { dataKeyStreamName, secretEvents, type SecretEvent } from '@orgplane/contracts';
import type {
  EventMetadata,
  EventStore,
  ExpectedRevision,
  JsonObject,
} from '@orgplane/event-store';
import { currentRequestContext } from '@orgplane/messaging';
import { newRequestId } from '@orgplane/util';

type DataKeyEvent = Extract<SecretEvent, { type: 'DataKeyCreated' | 'DataKeyRewrapped' }>;

/** The actor of the events the encryption layer appends. */
const ENCRYPTION_ACTOR = { type: 'system', id: 'secrets-vault.encryption' } as const;

/**
 * Records what happened to an organization's data key on its stream (the key itself never goes
 * there). Inside a request (a first seal) the event carries the request's trace ids; outside one
 * (the rotation command) fresh ones.
 */
export async function appendDataKeyEvent(
  store: EventStore,
  event: DataKeyEvent,
  options: { expectedRevision: ExpectedRevision; eventId?: string },
): Promise<void> {
  const { type, schemaVersion, data } = secretEvents.encode(event);
  await store.append(
    dataKeyStreamName(event.data.organizationId),
    [
      {
        id: options.eventId,
        type,
        schemaVersion,
        // Event data schemas describe JSON objects, so encoded data is one.
        data: data as JsonObject,
        metadata: encryptionMetadata(event.data.organizationId),
      },
    ],
    { expectedRevision: options.expectedRevision },
  );
}

function encryptionMetadata(organizationId: string): EventMetadata {
  const context = currentRequestContext();
  const requestId = context?.requestId ?? newRequestId();
  return {
    orgId: organizationId,
    actor: ENCRYPTION_ACTOR,
    requestId,
    correlationId: context?.correlationId ?? requestId,
    causationId: context?.causationId ?? requestId,
  };
}
