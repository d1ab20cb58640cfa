import { Inject, Injectable } from '@nestjs/common';
import { apiKeyStreamName, keyEvents, sshKeyStreamName, type Departure } from '@orgplane/contracts';
import {
  handleCommand,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@orgplane/event-store';
import {
  departureMetadata,
  DepartureReactionProvider,
  EVENT_STORE,
  ReadModels,
  type OwnedItem,
} from '@orgplane/event-sourcing';
import { systemClock } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { apiKeyDecider, hashesOf, issued, sshKeyDecider } from '@orgplane/keys-domain';
import { ApiKeyChanges } from '../../common/api-key-changes';
import { KEYS_CONFIG, type KeysConfig } from '../../keys.config';
import { memberRemovalProjection, type KeyKind } from '../infrastructure/member-removal.projection';

/** The actor of the events the reaction appends. */
const MEMBER_REMOVAL_ACTOR = { type: 'system', id: 'keys.member-removal-reaction' } as const;

/**
 * The member-removal reaction (member-removal.projection.ts): it resumes after a restart where it
 * stopped, one active instance across processes.
 *
 * After revoking an API key it tells the gateways to forget the key's hashes, once the `keys`
 * read model shows the revocation (a gateway asking again must not be told the key still works).
 * That wait happens after the reducer returns: the revocation becomes visible in `$all` only once
 * the runner's transaction has committed.
 */
@Injectable()
export class MemberRemovalReaction extends DepartureReactionProvider<KeyKind> {
  private readonly announcements = new Set<Promise<void>>();

  constructor(
    @Inject(KEYS_CONFIG) config: KeysConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    dataSource: DataSource,
    private readonly readModels: ReadModels,
    private readonly apiKeyChanges: ApiKeyChanges,
  ) {
    super(store, dataSource, config.READ_MODEL_SCHEMA, memberRemovalProjection);
  }

  override async onApplicationShutdown(): Promise<void> {
    await super.onApplicationShutdown();
    await Promise.all(this.announcements);
  }

  /** Revokes an API key, deletes an SSH key. */
  async stop(key: OwnedItem<KeyKind>, departure: Departure, trigger: RecordedEvent): Promise<void> {
    const { cause } = departure;
    const metadata = departureMetadata(departure, trigger, MEMBER_REMOVAL_ACTOR);
    const now = systemClock.now();
    if (key.kind === 'ssh_key') {
      const { position } = await handleCommand({
        store: this.store,
        streamName: sshKeyStreamName(key.id),
        decider: sshKeyDecider,
        command: { type: 'DeleteSshKey', data: { cause }, metadata: { now } },
        codec: keyEvents,
        metadata,
      });
      if (position) this.logger.log(`Deleted SSH key ${key.id} (${cause.reason})`);
      return;
    }
    const { state, position } = await handleCommand({
      store: this.store,
      streamName: apiKeyStreamName(key.id),
      decider: apiKeyDecider,
      command: { type: 'RevokeApiKey', data: { cause }, metadata: { now } },
      codec: keyEvents,
      metadata,
    });
    const revoked = issued(state);
    if (!position || !revoked) return;
    this.logger.log(`Revoked API key ${key.id} (${cause.reason})`);
    this.announceOnceVisible(hashesOf(revoked), position);
  }

  private announceOnceVisible(keyHashes: string[], position: Position): void {
    const announcement = this.readModels
      .reached(position)
      .then(
        () => this.apiKeyChanges.announce(keyHashes),
        (error: unknown) =>
          this.logger.warn(`Could not announce a revocation: ${(error as Error).message}`),
      )
      .finally(() => this.announcements.delete(announcement));
    this.announcements.add(announcement);
  }
}
