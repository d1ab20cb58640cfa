/**
 * Registers a resource as a platform service does (`resources.v1.registerResource` over NATS), for
 * trying the registry by hand: the sandbox runner, agent runner and tool hub do this for real.
 *
 *   ORG_ID=… OWNER_ID=… KIND=agent NAME=reviewer REGISTRAR_CREDENTIAL=walkthrough:<token> \
 *     node -r @swc-node/register tools/register-resource.ts
 *
 * REGISTRAR_CREDENTIAL is `<service>:<token>`, where the resources service's RESOURCES_REGISTRARS
 * holds `<service>:<sha256 hex of the token>`. Optional: PROJECT_ID (else the default project),
 * WORKSPACE_IDS (comma-separated organization workspaces it mounts), RESOURCE_ID (the service's own id for it; a new one by default), NATS_URL. Prints the registered
 * resource as JSON.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  RESOURCES_SUBJECTS,
  type RegisterResourceRequest,
  type ResourceView,
} from '@orgplane/contracts';
import { createLogger, ReadYourWritesClient } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is required (see the comment atop tools/register-resource.ts)`);
  return value;
}

async function main(): Promise<void> {
  // Nest's NATS client logs its connection's status on stdout, which is for the resource alone.
  Logger.overrideLogger(['error']);
  const credential = required('REGISTRAR_CREDENTIAL');
  // The service validates the request; this only gathers it.
  const request = {
    organizationId: required('ORG_ID'),
    ownerUserId: required('OWNER_ID'),
    kind: required('KIND'),
    name: required('NAME'),
    resourceId: process.env.RESOURCE_ID ?? randomUUID(),
    ...(process.env.PROJECT_ID ? { projectId: process.env.PROJECT_ID } : {}),
    ...(process.env.WORKSPACE_IDS ? { workspaceIds: process.env.WORKSPACE_IDS.split(',') } : {}),
  } as RegisterResourceRequest;
  const client = await ReadYourWritesClient.connect(
    process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    credential.split(':')[0],
    // stdout is for the resource alone, so it can be piped to jq
    createLogger('register-resource', 'warn', process.stderr),
  );
  try {
    const { data } = await client.request<ResourceView>(
      RESOURCES_SUBJECTS.registerResource,
      request,
      null,
      { serviceCredential: credential },
    );
    console.log(JSON.stringify(data, null, 2));
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ServiceError ? JSON.stringify(error.toBody()) : error);
  process.exitCode = 1;
});
