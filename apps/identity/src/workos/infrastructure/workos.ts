import { Inject, Injectable } from '@nestjs/common';
import { ServiceError } from '@orgplane/util';
import { WorkOS } from '@workos-inc/node';
import {
  IDENTITY_CONFIG,
  workosSettingsOf,
  type IdentityConfig,
  type WorkosSettings,
} from '../../identity.config';

/** A WorkOS call that has not answered by then fails (the SDK's own default is 60 s). */
const WORKOS_TIMEOUT_MS = 10_000;

export interface WorkosConnection {
  client: WorkOS;
  settings: WorkosSettings;
}

/** The WorkOS SDK client, when WorkOS is configured. */
@Injectable()
export class Workos {
  readonly connection: WorkosConnection | null;

  constructor(@Inject(IDENTITY_CONFIG) config: IdentityConfig) {
    const settings = workosSettingsOf(config);
    this.connection = settings && {
      settings,
      client: new WorkOS({
        apiKey: settings.apiKey,
        clientId: settings.clientId,
        apiHostname: settings.apiHostname,
        port: settings.apiPort,
        https: settings.https,
        timeout: WORKOS_TIMEOUT_MS,
      }),
    };
  }

  /** For the WorkOS sign-in subjects: without WorkOS, a 404 (the route exists, the provider not). */
  require(): WorkosConnection {
    if (!this.connection) {
      throw new ServiceError(
        'not_found',
        'provider_not_configured',
        'WorkOS sign-in is not configured here; use the local provider',
      );
    }
    return this.connection;
  }
}
