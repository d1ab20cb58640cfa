import { createHash } from 'node:crypto';
import { ANY, type EventStore } from '@orgplane/event-store';
import { nameBasedUuid, systemClock, type Clock } from '@orgplane/util';
import { appendDataKeyEvent } from './data-key-events';
import type { KeyProvider } from './key-provider';
import type { KeyStore } from './key-store';
import { TRANSPORT_KEY_CONTEXT } from './stored-transport-keys';

export interface MasterKeyRotation {
  keyStore: KeyStore;
  /** current key: the new master key; retired: the ones the stored keys are wrapped with now */
  keyProvider: KeyProvider;
  events: EventStore;
  clock?: Clock;
}

export interface MasterKeyRotationSummary {
  masterKeyId: string;
  dataKeys: number;
  transportKeys: number;
  durationMs: number;
}

interface WrappedRow {
  wrapped: Buffer | null;
  master_key_id: string | null;
}

interface Rewrapped {
  wrapped: Buffer;
  /** what the key was wrapped with, and how, before */
  fromMasterKeyId: string;
  previous: Buffer;
}

/**
 * Wraps every stored key that the current master key did not wrap anew with it: the data keys of
 * the organizations and the transport key. The keys themselves stay the same, so no value key
 * and no secret changes. One row at a time, each locked only while it is rewrapped, so running
 * instances go on sealing and opening meanwhile (configured with both master keys, they unwrap
 * either wrapping). Running it again finds nothing left to do.
 */
export async function rotateMasterKey({
  keyStore,
  keyProvider,
  events,
  clock = systemClock,
}: MasterKeyRotation): Promise<MasterKeyRotationSummary> {
  const startedAt = performance.now();
  const to = keyProvider.currentKeyId;
  const { dataSource, dataKeys, transportKeys } = keyStore;

  const organizations = (await dataSource.query(
    `SELECT organization_id FROM ${dataKeys}
      WHERE wrapped_key IS NOT NULL AND master_key_id <> $1 ORDER BY organization_id`,
    [to],
  )) as { organization_id: string }[];
  let rewrappedDataKeys = 0;
  for (const { organization_id: organizationId } of organizations) {
    const rewrapped = await dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT wrapped_key AS wrapped, master_key_id FROM ${dataKeys}
          WHERE organization_id = $1 FOR UPDATE`,
        [organizationId],
      )) as WrappedRow[];
      const rewrapped = await rewrap(keyProvider, row, organizationId);
      if (!rewrapped) return false;
      const rewrappedAt = clock.now();
      await manager.query(
        `UPDATE ${dataKeys} SET wrapped_key = $2, master_key_id = $3, rewrapped_at = $4
          WHERE organization_id = $1`,
        [organizationId, rewrapped.wrapped, to, rewrappedAt],
      );
      await recordRewrap(events, organizationId, rewrapped, to, rewrappedAt);
      return true;
    });
    if (rewrapped) rewrappedDataKeys++;
  }

  const transportKeyIds = (await dataSource.query(
    `SELECT key_id FROM ${transportKeys} WHERE master_key_id <> $1`,
    [to],
  )) as { key_id: string }[];
  let rewrappedTransportKeys = 0;
  for (const { key_id: keyId } of transportKeyIds) {
    const rewrapped = await dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT wrapped_private_key AS wrapped, master_key_id FROM ${transportKeys}
          WHERE key_id = $1 FOR UPDATE`,
        [keyId],
      )) as WrappedRow[];
      const rewrapped = await rewrap(keyProvider, row, TRANSPORT_KEY_CONTEXT);
      if (!rewrapped) return false;
      await manager.query(
        `UPDATE ${transportKeys} SET wrapped_private_key = $2, master_key_id = $3 WHERE key_id = $1`,
        [keyId, rewrapped.wrapped, to],
      );
      return true;
    });
    if (rewrapped) rewrappedTransportKeys++;
  }

  return {
    masterKeyId: to,
    dataKeys: rewrappedDataKeys,
    transportKeys: rewrappedTransportKeys,
    durationMs: Math.round(performance.now() - startedAt),
  };
}

/** The key wrapped by the current master key; null when it already is, or was destroyed since. */
async function rewrap(
  keyProvider: KeyProvider,
  row: WrappedRow | undefined,
  context: string,
): Promise<Rewrapped | null> {
  if (!row?.wrapped || !row.master_key_id || row.master_key_id === keyProvider.currentKeyId) {
    return null;
  }
  const key = await keyProvider.unwrap(
    { masterKeyId: row.master_key_id, wrapped: row.wrapped },
    context,
  );
  try {
    const { wrapped } = await keyProvider.wrap(key, context);
    return { wrapped, fromMasterKeyId: row.master_key_id, previous: row.wrapped };
  } finally {
    key.fill(0);
  }
}

/**
 * Appended before the row's update commits, so no rewrap goes unrecorded. Should the commit fail,
 * the next run rewraps the same blob again, and the event's id, derived from that blob, makes the
 * second append a no-op.
 */
async function recordRewrap(
  events: EventStore,
  organizationId: string,
  { fromMasterKeyId, previous }: Rewrapped,
  toMasterKeyId: string,
  rewrappedAt: Date,
): Promise<void> {
  const blob = createHash('sha256').update(previous).digest('hex');
  await appendDataKeyEvent(
    events,
    {
      type: 'DataKeyRewrapped',
      data: {
        organizationId,
        fromMasterKeyId,
        toMasterKeyId,
        rewrappedAt: rewrappedAt.toISOString(),
      },
    },
    {
      expectedRevision: ANY,
      eventId: nameBasedUuid('data-key-rewrapped', `${organizationId}/${toMasterKeyId}/${blob}`),
    },
  );
}
