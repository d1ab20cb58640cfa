import type { DepartureCause, SecretEvent } from '@orgplane/contracts';
import type { Decider } from '@orgplane/util';

/** Records that an organization's data key was destroyed (crypto-shredding), once. */
export interface RecordDataKeyDestroyed {
  type: 'RecordDataKeyDestroyed';
  data: { organizationId: string; cause: DepartureCause };
  metadata: { now: Date };
}

/** An organization's data-key stream, as far as its destruction goes. */
export interface DataKeyDestruction {
  recorded: boolean;
}

/**
 * The key store forgets a destroyed key for good, so it cannot tell whether the destruction was
 * recorded: the stream can. Recording it again records nothing, so a replay of the organization's
 * deletion appends `DataKeyDestroyed` only if the first run stopped between the key's destruction
 * and the append.
 */
export const dataKeyDestructionDecider: Decider<
  RecordDataKeyDestroyed,
  DataKeyDestruction,
  SecretEvent
> = {
  initialState: () => ({ recorded: false }),
  evolve: (state, event) => (event.type === 'DataKeyDestroyed' ? { recorded: true } : state),
  decide({ data, metadata }, state) {
    if (state.recorded) return [];
    const destroyedAt = metadata.now.toISOString();
    return [{ type: 'DataKeyDestroyed', data: { ...data, destroyedAt } }];
  },
};
