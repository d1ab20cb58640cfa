/**
 * Test support: an in-process gRPC server speaking EventStoreDB's `Streams.Read` call, answering
 * with whatever messages a test scripts. It lets the real `@eventstore/db-client` decode real
 * protocol messages, so the adapter's reading and subscription logic can be tested without
 * EventStoreDB. It knows nothing of ESDB's semantics: each test scripts the server's side itself.
 * (`@grpc/grpc-js` and the generated protocol classes come with `@eventstore/db-client`.)
 */
import { Server, ServerCredentials, status, type ServerWritableStream } from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadResp, type ReadReq } from '@eventstore/db-client/generated/streams_pb';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import type { Position } from '../event-store.port';

export type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

export class ScriptedEsdbServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** every Read call received, in order */
    readonly reads: ReadCall[],
  ) {}

  static async start(onRead: (call: ReadCall) => void): Promise<ScriptedEsdbServer> {
    const server = new Server();
    const reads: ReadCall[] = [];
    server.addService(StreamsService, {
      read: (call: ReadCall) => {
        reads.push(call);
        onRead(call);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      ),
    );
    return new ScriptedEsdbServer(server, `esdb://127.0.0.1:${port}?tls=false`, reads);
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

export interface ScriptedEvent {
  streamId: string;
  revision?: bigint;
  position: Position;
  type: string;
  data?: unknown;
  metadata?: unknown;
  id?: string;
}

let nextEventNumber = 0;

export const respond = {
  event(event: ScriptedEvent): ReadResp {
    nextEventNumber += 1;
    const id = new UUID();
    id.setString(
      event.id ?? `00000000-0000-4000-8000-${String(nextEventNumber).padStart(12, '0')}`,
    );
    const streamIdentifier = new StreamIdentifier();
    streamIdentifier.setStreamName(Buffer.from(event.streamId, 'utf8'));
    const recorded = new ReadResp.ReadEvent.RecordedEvent();
    recorded.setId(id);
    recorded.setStreamIdentifier(streamIdentifier);
    recorded.setStreamRevision(String(event.revision ?? 0n));
    recorded.setCommitPosition(String(event.position.commit));
    recorded.setPreparePosition(String(event.position.prepare));
    recorded.getMetadataMap().set('type', event.type);
    recorded.getMetadataMap().set('content-type', 'application/json');
    // .NET ticks (100 ns) since the Unix epoch
    recorded.getMetadataMap().set('created', String(BigInt(Date.UTC(2025, 0, 2)) * 10_000n));
    recorded.setData(Buffer.from(JSON.stringify(event.data ?? {}), 'utf8'));
    recorded.setCustomMetadata(
      Buffer.from(JSON.stringify(event.metadata ?? { $schemaVersion: 1 }), 'utf8'),
    );
    const readEvent = new ReadResp.ReadEvent();
    readEvent.setEvent(recorded);
    readEvent.setCommitPosition(String(event.position.commit));
    const response = new ReadResp();
    response.setEvent(readEvent);
    return response;
  },

  checkpoint(position: Position): ReadResp {
    const checkpoint = new ReadResp.Checkpoint();
    checkpoint.setCommitPosition(String(position.commit));
    checkpoint.setPreparePosition(String(position.prepare));
    const response = new ReadResp();
    response.setCheckpoint(checkpoint);
    return response;
  },

  caughtUp(): ReadResp {
    const response = new ReadResp();
    response.setCaughtUp(new ReadResp.CaughtUp());
    return response;
  },

  confirmation(): ReadResp {
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId('scripted');
    const response = new ReadResp();
    response.setConfirmation(confirmation);
    return response;
  },

  streamNotFound(streamName: string): ReadResp {
    const streamIdentifier = new StreamIdentifier();
    streamIdentifier.setStreamName(Buffer.from(streamName, 'utf8'));
    const notFound = new ReadResp.StreamNotFound();
    notFound.setStreamIdentifier(streamIdentifier);
    const response = new ReadResp();
    response.setStreamNotFound(notFound);
    return response;
  },
};

/** Ends a call with a gRPC error status, as a server that went away would. */
export function failCall(call: ReadCall, details: string): void {
  call.emit('error', { code: status.UNAVAILABLE, details });
}

/** Resolves when the client cancels the call (unsubscribes). */
export function cancelled(call: ReadCall): Promise<void> {
  return new Promise((resolve) => {
    if (call.cancelled) resolve();
    else call.on('cancelled', () => resolve());
  });
}
