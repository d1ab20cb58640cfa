/** The built OpenAPI document, built once at start. */
export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');
