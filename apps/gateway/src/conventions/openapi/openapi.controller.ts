import { Controller, Inject } from '@nestjs/common';
import { Route } from '../../routes/route.decorator';
import { NotEnveloped } from '../not-enveloped.decorator';
import { OPENAPI_DOCUMENT } from './openapi.constants';
import type { OpenApiDocument } from './openapi.types';

@Controller()
export class OpenApiController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {}

  /** The raw document, as OpenAPI tools read it. */
  @Route('openapi.get')
  @NotEnveloped()
  get(): OpenApiDocument {
    return this.document;
  }
}
