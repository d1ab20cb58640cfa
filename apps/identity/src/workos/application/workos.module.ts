import { Module } from '@nestjs/common';
import { UsersModule } from '../../users/application/users.module';
import { SessionRefreshes } from '../infrastructure/session-refreshes';
import { WebhookDeliveries } from '../infrastructure/webhook-deliveries';
import { WorkosMirror } from '../infrastructure/workos-mirror';
import { WorkosSignInHandlers } from './workos-sign-in.handlers';
import { WorkosWebhooksHandlers } from './workos-webhooks.handlers';

/** WorkOS AuthKit sign-in, its webhooks, and the mirror of organizations to WorkOS. */
@Module({
  imports: [UsersModule],
  controllers: [WorkosSignInHandlers, WorkosWebhooksHandlers],
  providers: [SessionRefreshes, WebhookDeliveries, WorkosMirror],
})
export class WorkosModule {}
