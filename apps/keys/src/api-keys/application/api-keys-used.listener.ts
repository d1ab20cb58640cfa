import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { apiKeysUsedMessageSchema, KEYS_SUBJECTS } from '@orgplane/contracts';
import { NatsBroadcast } from '@orgplane/messaging';
import { ApiKeyUsageStore } from '../infrastructure/api-key-usage.store';

/**
 * Gateways report the keys they saw, at most once per key and minute
 * (`keys.v1.events.apiKeysUsed`). Every instance of this service hears every report (no queue
 * group): the write is idempotent, and no report depends on one instance being up. A report lost
 * (no instance connected) costs a minute of `lastUsedAt` precision, nothing more.
 */
@Injectable()
export class ApiKeysUsedListener implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysUsedListener.name);

  constructor(
    private readonly broadcast: NatsBroadcast,
    private readonly usage: ApiKeyUsageStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.broadcast.subscribe(KEYS_SUBJECTS.apiKeysUsed, apiKeysUsedMessageSchema, (message) => {
      this.usage
        .recordUse(message.keyIds, new Date(message.usedAt))
        .catch((error: unknown) =>
          this.logger.warn(`Could not record API-key use: ${(error as Error).message}`),
        );
    });
    // The subscription reaches the server asynchronously; a report sent as soon as the service
    // says it listens must find it.
    await this.broadcast.connection.flush();
  }
}
