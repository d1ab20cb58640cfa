import { ClientNats, NatsRecordBuilder } from '@nestjs/microservices';
import { serviceErrorBodySchema, type Caller, type ServiceReply } from '@orgplane/contracts';
import { comparePositions, parsePosition, type Position } from '@orgplane/event-store';
import { toRequestHeaders } from '@orgplane/messaging';
import { newRequestId, ServiceError } from '@orgplane/util';
import { firstValueFrom, timeout } from 'rxjs';

/**
 * Talks to the keys service over NATS as the gateway does: the caller (with the organization and
 * role the gateway resolved) and the consistency position in the headers. It keeps the whole
 * reply, and sends the newest position it has seen with every request, so each read sees every
 * write before it.
 */
export class KeysClient {
  private newest: Position | undefined;

  private constructor(private readonly client: ClientNats) {}

  static async connect(natsUrl: string): Promise<KeysClient> {
    const client = new ClientNats({ servers: natsUrl, name: 'keys-int-spec' });
    await client.connect();
    return new KeysClient(client);
  }

  /** A write made behind the service's back (events appended directly) that reads must see. */
  saw(position: Position): void {
    if (!this.newest || comparePositions(position, this.newest) > 0) this.newest = position;
  }

  /** With no caller when null (the gateway resolving a key). */
  async request<Data>(
    subject: string,
    payload: unknown,
    caller: Caller | null,
  ): Promise<ServiceReply<Data>> {
    const requestId = newRequestId();
    const headers = toRequestHeaders({
      requestId,
      correlationId: requestId,
      causationId: requestId,
      caller: caller ?? undefined,
      minPosition: this.newest,
    });
    const record = new NatsRecordBuilder(payload).setHeaders(headers).build();
    let reply: ServiceReply<Data>;
    try {
      reply = await firstValueFrom(this.client.send(subject, record).pipe(timeout(10_000)));
    } catch (error) {
      const body = serviceErrorBodySchema.safeParse(error);
      throw body.success ? ServiceError.fromBody(body.data) : error;
    }
    if (reply.position) this.saw(parsePosition(reply.position)!);
    return reply;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
