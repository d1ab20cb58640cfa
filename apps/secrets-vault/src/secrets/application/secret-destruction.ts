import { Inject, Injectable } from '@nestjs/common';
import { secretEvents, secretStreamName, type DepartureCause } from '@orgplane/contracts';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import { handleCommand, type EventMetadata, type EventStore } from '@orgplane/event-store';
import { systemClock } from '@orgplane/util';
import { secretDecider, valueKeysToDestroy, type Secret } from '@orgplane/secrets-vault-domain';
import { SecretCipher } from '../../encryption/secret-cipher';

/**
 * The two steps of destroying a secret: SecretDestroyed, then its value keys, without which its
 * ciphertexts in the event store can no longer be opened. The key deletion follows whatever the
 * decider decided, also when it recorded nothing because the secret was destroyed already, so a
 * destroy repeated after a crash between the steps (a user's retry, a reaction's replay) finishes
 * the job.
 */
@Injectable()
export class SecretDestruction {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * For reactions (a member's departure): destroys the secret naming `cause`, with `metadata` on
   * the event (the reaction's actor, the trigger's trace ids). A secret already destroyed, or
   * never written, changes nothing; replaying is safe.
   */
  async destroyFor(secretId: string, cause: DepartureCause, metadata: EventMetadata) {
    const { state, position } = await handleCommand({
      store: this.store,
      streamName: secretStreamName(secretId),
      decider: secretDecider,
      command: { type: 'DestroySecret', data: { cause }, metadata: { now: systemClock.now() } },
      codec: secretEvents,
      metadata,
    });
    await this.destroyValueKeys(state);
    return { destroyed: position !== null };
  }

  /** The second step, after a DestroySecret command ran (recording something or not). */
  async destroyValueKeys(state: Secret): Promise<void> {
    if (state.status === 'destroyed') {
      await this.cipher.destroyValueKeys(state.id, valueKeysToDestroy(state));
    }
  }
}
