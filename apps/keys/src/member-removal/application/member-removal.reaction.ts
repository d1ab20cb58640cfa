import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  apiKeyStreamName,
  keyEvents,
  sshKeyStreamName,
  type Departure,
} from '@orgplane/contracts';
import {
  handleCommand,
  type EventMetadata,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '@orgplane/event-store';
import { EVENT_STORE, ReadModels } from '@orgplane/event-sourcing';
import { ProjectionRunner } from '@orgplane/projections';
import { systemClock } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { hashesOf, issued } from '../../api-keys/domain/api-key';
import { apiKeyDecider } from '../../api-keys/domain/api-key.decider';
import { ApiKeyChanges } from '../../common/api-key-changes';
import { KEYS_CONFIG, type KeysConfig } from '../../keys.config';
import { sshKeyDecider } from '../../ssh-keys/domain/ssh-key.decider';
import {
  memberRemovalProjection,
  type KeyRemovals,
  type OwnedKeyRef,
} from '../infrastructure/member-removal.projection';

/** The actor of the events the reaction appends. */
const MEMBER_REMOVAL_ACTOR = { type: 'system', id: 'keys.member-removal-reaction' } as const;

/**
 * Runs the member-removal reaction (member-removal.projection.ts): a checkpointed subscription to
 * `$all`, so it resumes after a restart where it stopped, and one active instance across
 * processes. Its runner is kept out of the service's read models: read-your-writes does not wait
 * on it. One event per transaction, so that the runner's transaction has written nothing while a
 * removal is appended.
 *
 * After revoking an API key it tells the gateways to forget the key's hashes, once the `keys`
 * read model shows the revocation (a gateway asking again must not be told the key still works).
 * That wait happens after the reducer returns: the revocation becomes visible in `$all` only once
 * the runner's transaction has committed.
 */
@Injectable()
export class MemberRemovalReaction
  implements KeyRemovals, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(MemberRemovalReaction.name);
  private readonly runner: ProjectionRunner;
  private readonly announcements = new Set<Promise<void>>();

  constructor(
    @Inject(KEYS_CONFIG) config: KeysConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    dataSource: DataSource,
    private readonly readModels: ReadModels,
    private readonly apiKeyChanges: ApiKeyChanges,
  ) {
    this.runner = new ProjectionRunner(store, dataSource, memberRemovalProjection(this), {
      schema: config.READ_MODEL_SCHEMA,
      batchSize: 1,
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    await Promise.all(this.announcements);
  }

  async remove(key: OwnedKeyRef, departure: Departure, trigger: RecordedEvent): Promise<void> {
    const { cause } = departure;
    const metadata: EventMetadata = {
      orgId: departure.organizationId,
      actor: MEMBER_REMOVAL_ACTOR,
      requestId: trigger.metadata.requestId,
      correlationId: trigger.metadata.correlationId,
      causationId: cause.eventId,
    };
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
