import { Injectable } from '@nestjs/common';
import {
  sealForVault,
  SECRETS_VAULT_SUBJECTS,
  type SecretView,
  type ServiceReply,
  type SetSecretBody,
  type SetSecretRequest,
  type TransportKeyView,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';

/** What the vault answers when a value was not sealed to its current transport key. */
const STALE_SEAL = 'invalid_sealed_value';

/**
 * Writes of secret values: the value is sealed to the vault's transport key here, so the plaintext
 * never crosses NATS. The key is fetched once and kept; when the vault no longer knows it (its key
 * was replaced), it is fetched again and the write retried once.
 */
@Injectable()
export class SecretWrites {
  /** a promise, so the requests that arrive while it is fetched share one fetch */
  private transportKey: Promise<TransportKeyView> | undefined;

  constructor(private readonly services: ServiceClient) {}

  async set(
    { value, ...settings }: SetSecretBody,
    context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    try {
      return await this.sendSealed(settings, value, context);
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === STALE_SEAL)) throw error;
      this.transportKey = undefined;
      return this.sendSealed(settings, value, context);
    }
  }

  private async sendSealed(
    settings: Omit<SetSecretBody, 'value'>,
    value: string,
    context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    const request: SetSecretRequest = {
      ...settings,
      sealedValue: sealForVault(value, await this.currentTransportKey(context)),
    };
    return this.services.request(SECRETS_VAULT_SUBJECTS.setSecret, request, context);
  }

  private currentTransportKey(context: RequestContext): Promise<TransportKeyView> {
    if (!this.transportKey) {
      const fetched = this.services
        .request<TransportKeyView>(SECRETS_VAULT_SUBJECTS.getTransportKey, {}, context)
        .then(({ data }) => data);
      // A failed fetch (the vault unavailable) is not kept: the next write asks again.
      fetched.catch(() => {
        if (this.transportKey === fetched) this.transportKey = undefined;
      });
      this.transportKey = fetched;
    }
    return this.transportKey;
  }
}
