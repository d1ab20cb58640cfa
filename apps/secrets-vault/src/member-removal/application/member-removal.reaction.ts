import { Inject, Injectable } from '@nestjs/common';
import { dataKeyStreamName, secretEvents, type Departure } from '@orgplane/contracts';
import {
  departureMetadata,
  DepartureReactionProvider,
  EVENT_STORE,
  type OwnedItem,
} from '@orgplane/event-sourcing';
import { handleCommand, type EventStore, type RecordedEvent } from '@orgplane/event-store';
import { systemClock } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { dataKeyDestructionDecider } from '@orgplane/secrets-vault-domain';
import { SecretCipher } from '../../encryption';
import { SECRETS_VAULT_CONFIG, type SecretsVaultConfig } from '../../secrets-vault.config';
import { SecretDestruction } from '../../secrets';
import { memberRemovalProjection } from '../infrastructure/member-removal.projection';

/** The actor of the events the reaction appends. */
const MEMBER_REMOVAL_ACTOR = {
  type: 'system',
  id: 'secrets-vault.member-removal-reaction',
} as const;

/**
 * The vault's member-removal reaction (member-removal.projection.ts): it resumes after a restart
 * where it stopped, one active instance across processes. A removed or departed member's private
 * secrets in the organization are destroyed; a deleted organization's data key is, which takes
 * every secret of the organization with it.
 */
@Injectable()
export class MemberRemovalReaction extends DepartureReactionProvider<'secret'> {
  constructor(
    @Inject(SECRETS_VAULT_CONFIG) config: SecretsVaultConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    dataSource: DataSource,
    private readonly destruction: SecretDestruction,
    private readonly cipher: SecretCipher,
  ) {
    super(store, dataSource, config.READ_MODEL_SCHEMA, memberRemovalProjection);
  }

  async stop(
    secret: OwnedItem<'secret'>,
    departure: Departure,
    trigger: RecordedEvent,
  ): Promise<void> {
    // An organization's deletion shreds its data key (departed), which no secret outlives.
    if (departure.userId === null) return;
    const metadata = departureMetadata(departure, trigger, MEMBER_REMOVAL_ACTOR);
    const { destroyed } = await this.destruction.destroyFor(secret.id, departure.cause, metadata);
    if (destroyed) this.logger.log(`Destroyed secret ${secret.id} (${departure.cause.reason})`);
  }

  /**
   * Crypto-shredding: the key first, then the record of it, which a replay after a crash between
   * the two still appends (dataKeyDestructionDecider). Also for an organization that never had a
   * key: the key store keeps a tombstone either way, so that no later write makes one.
   */
  async departed(departure: Departure, trigger: RecordedEvent): Promise<void> {
    const { organizationId, userId, cause } = departure;
    if (userId !== null) return;
    await this.cipher.destroyOrganizationKey(organizationId);
    const { position } = await handleCommand({
      store: this.store,
      streamName: dataKeyStreamName(organizationId),
      decider: dataKeyDestructionDecider,
      command: {
        type: 'RecordDataKeyDestroyed',
        data: { organizationId, cause },
        metadata: { now: systemClock.now() },
      },
      codec: secretEvents,
      metadata: departureMetadata(departure, trigger, MEMBER_REMOVAL_ACTOR),
    });
    if (position) this.logger.log(`Destroyed the data key of organization ${organizationId}`);
  }
}
