import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { MEMBERSHIP_SUBJECTS, type AccessChangedMessage } from '@orgplane/contracts';
import { formatPosition, type Position } from '@orgplane/event-store';
import { NatsBroadcast } from '@orgplane/messaging';

/**
 * Tells every gateway instance whose memberships or active organization changed, so none keeps
 * answering from what it cached about them. At most once: a gateway that was disconnected forgets
 * its whole cache when it reconnects (see NatsBroadcast).
 */
@Injectable()
export class AccessChanges implements OnApplicationShutdown {
  constructor(private readonly broadcast: NatsBroadcast) {}

  /** Call once the read models have reached `position`, so a gateway reading again sees the change. */
  announce(userIds: readonly string[], position: Position): void {
    if (userIds.length === 0) return;
    const message: AccessChangedMessage = {
      userIds: [...userIds],
      position: formatPosition(position),
    };
    this.broadcast.publish(MEMBERSHIP_SUBJECTS.accessChanged, message);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcast.close();
  }
}
