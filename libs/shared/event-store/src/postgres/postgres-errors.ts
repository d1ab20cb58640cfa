import { DatabaseError } from 'pg';
import { StreamDeletedError, WrongExpectedRevisionError } from '../errors';
import type { ExpectedRevision } from '../event-store.port';
import {
  RETRYABLE_SQLSTATE,
  STREAM_DELETED_SQLSTATE,
  WRONG_EXPECTED_REVISION_SQLSTATE,
} from './postgres-schema';

/** A retryable conflict needs a newer transaction; a handful of attempts is plenty. */
const MAX_ATTEMPTS = 10;

/** Turns what the schema's functions raise into the port's errors. */
function translateError(error: unknown, streamName: string, expected: ExpectedRevision): unknown {
  if (!(error instanceof DatabaseError)) return error;
  if (error.code === WRONG_EXPECTED_REVISION_SQLSTATE) {
    const actual = error.detail === 'no_stream' ? 'no_stream' : BigInt(error.detail ?? '-1');
    return new WrongExpectedRevisionError(streamName, expected, actual);
  }
  if (error.code === STREAM_DELETED_SQLSTATE) return new StreamDeletedError(streamName);
  return error;
}

/**
 * Runs one autocommit statement that changes a stream, again when it reports a retryable
 * conflict (each attempt is a new transaction), and translates its errors.
 */
export async function changeStream<T>(
  streamName: string,
  expected: ExpectedRevision,
  statement: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      const retryable = error instanceof DatabaseError && error.code === RETRYABLE_SQLSTATE;
      if (!retryable || attempt >= MAX_ATTEMPTS) {
        throw translateError(error, streamName, expected);
      }
    }
  }
}
