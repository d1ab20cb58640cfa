/** The parts of OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0) the gateway's document uses. */

/** JSON Schema 2020-12, OpenAPI 3.1's own dialect, as zod writes it */
export type JsonSchema = Record<string, unknown>;

export interface Reference {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface Header {
  description: string;
  schema: JsonSchema;
}

/** `application/json` for envelopes; a file route names its own (RouteSpec.produces). */
export type MediaTypes = Record<string, { schema: JsonSchema | Reference }>;

export interface Response {
  description: string;
  headers?: Record<string, Reference>;
  content?: MediaTypes;
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `[]` for routes open to anyone */
  security: Record<string, string[]>[];
  parameters: (Parameter | Reference)[];
  requestBody?: { required: boolean; content: MediaTypes };
  responses: Record<string, Response | Reference>;
}

export type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;

export interface Components {
  securitySchemes: Record<
    string,
    | { type: 'http'; scheme: 'bearer'; description: string }
    | { type: 'apiKey'; in: 'header'; name: string; description: string }
  >;
  parameters: Record<string, Parameter>;
  headers: Record<string, Header>;
  schemas: Record<string, JsonSchema>;
  responses: Record<string, Response>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, PathItem>;
  components: Components;
}
