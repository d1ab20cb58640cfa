import { Inject, Injectable } from '@nestjs/common';
import {
  secretAccessStreamName,
  secretEvents,
  secretStreamName,
  type SecretEvent,
} from '@orgplane/contracts';
import { EVENT_STORE, readHistory, ReadModels } from '@orgplane/event-sourcing';
import {
  ANY,
  formatPosition,
  type EventMetadata,
  type EventStore,
  type JsonObject,
} from '@orgplane/event-store';
import { foldEvents } from '@orgplane/util';
import {
  secretDecider,
  type ActiveSecret,
  type KeptVersion,
  type Secret,
} from '@orgplane/secrets-vault-domain';
import { SecretCipher } from '../../encryption/secret-cipher';

type AccessEvent = Extract<SecretEvent, { type: 'SecretRevealed' | 'SecretResolved' }>;

/**
 * Where values leave the vault (reveals and resolutions). The read models hold no ciphertext, so
 * a secret is folded from its stream; and no value leaves before the access event naming who got
 * it is stored.
 */
@Injectable()
export class SecretDisclosure {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly cipher: SecretCipher,
    private readonly readModels: ReadModels,
  ) {}

  /** The secret as its stream has it now, sealed values included. */
  async load(secretId: string): Promise<Secret> {
    const history = await readHistory(this.store, secretStreamName(secretId), secretEvents);
    return foldEvents(secretDecider, history);
  }

  /**
   * Opens a kept value, then records `access` on the secret's access stream (any revision: access
   * records never conflict with each other or with writes). The value is returned only once the
   * record is stored: if the append fails, the value is dropped with the error.
   */
  async disclose(
    secret: ActiveSecret,
    kept: KeptVersion,
    access: AccessEvent,
    metadata: EventMetadata,
  ): Promise<{ value: string; position: string }> {
    const value = await this.cipher.open(
      { organizationId: secret.organizationId, secretId: secret.id, version: kept.version },
      kept.value,
    );
    const { type, schemaVersion, data } = secretEvents.encode(access);
    const { position } = await this.store.append(
      secretAccessStreamName(secret.id),
      [{ type, schemaVersion, data: data as JsonObject, metadata }],
      { expectedRevision: ANY },
    );
    // As after a command: the access log read next (by any instance) shows this entry.
    await this.readModels.reached(position);
    return { value, position: formatPosition(position) };
  }
}
