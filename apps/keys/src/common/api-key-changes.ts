import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { KEYS_SUBJECTS, type ApiKeysChangedMessage } from '@orgplane/contracts';
import { NatsBroadcast } from '@orgplane/messaging';

/**
 * Tells every gateway instance which API-key hashes to forget (`keys.v1.events.apiKeysChanged`):
 * the next request with one of them resolves the key again and sees its revocation, rotation or
 * new scopes. Announce only once the read models show the change, or a gateway asking at once
 * would cache the old answer again. At most once, like every broadcast: a gateway that was
 * disconnected forgets its whole cache when it reconnects, and its cache entries expire anyway.
 */
@Injectable()
export class ApiKeyChanges implements OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyChanges.name);

  constructor(private readonly broadcast: NatsBroadcast) {}

  announce(keyHashes: readonly string[]): void {
    if (keyHashes.length === 0) return;
    const message: ApiKeysChangedMessage = { keyHashes: [...new Set(keyHashes)] };
    try {
      this.broadcast.publish(KEYS_SUBJECTS.apiKeysChanged, message);
    } catch (error) {
      // Only when the connection is already closed (shutting down): gateways' caches expire.
      this.logger.warn(`Could not announce an API-key change: ${(error as Error).message}`);
    }
  }

  /** The process's one broadcast connection (this notice, and apiKeysUsed) closes with it. */
  async onApplicationShutdown(): Promise<void> {
    await this.broadcast.close();
  }
}
