import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ServiceError } from '@orgplane/util';
import { requestContextOf, type GatewayRequest } from '../common/http-request-context';
import { INVALID_TOKEN_MESSAGE, SessionTokenVerifier } from './session-token.verifier';

const BEARER = /^Bearer +(\S+)$/i;

/**
 * Lets through requests with a valid session access token (`Authorization: Bearer <token>`) and
 * records the caller on the request. API keys come with the keys service (a later issue).
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly verifier: SessionTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<GatewayRequest>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new ServiceError('unauthorized', 'unauthorized', INVALID_TOKEN_MESSAGE);
    request.caller = await this.verifier.verify(token, requestContextOf(request));
    return true;
  }
}
