import { SetMetadata } from '@nestjs/common';

export const NOT_ENVELOPED = 'orgplane:not-enveloped';

/**
 * The route answers its value as it is, outside the API envelope: for documents whose format is
 * fixed by others (the OpenAPI document). The EnvelopeInterceptor passes such values through.
 */
export const NotEnveloped = (): MethodDecorator => SetMetadata(NOT_ENVELOPED, true);
