import { Module } from '@nestjs/common';
import { AuthorizationIndex } from './authorization-index';
import { AuthorizeResponder } from './authorize.responder';

/**
 * `resources.v1.authorize` for the platform's services: an in-memory index per instance, loaded
 * from the read models and kept current from `$all`, answering on NATS without a database round
 * trip per check.
 */
@Module({
  providers: [AuthorizationIndex, AuthorizeResponder],
  exports: [AuthorizationIndex],
})
export class AuthorizationModule {}
