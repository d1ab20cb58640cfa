import { Body, Controller, Param, Query, type Type } from '@nestjs/common';
import {
  RESOURCE_COLLECTIONS,
  RESOURCE_KINDS,
  RESOURCES_SUBJECTS,
  type PublicResourceView,
  type ResourceKind,
  type ResourceRemovedView,
  type ResourceView,
  type ServiceReply,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { registryOperationId } from '../routes/route-catalog';
import { Route } from '../routes/route.decorator';

/**
 * The controller of one kind's registry routes (`/v1/agents`, ...). Every kind has the same five,
 * so one class is made per kind rather than written four times; each gets handlers of its own, as
 * the route metadata the AuthorizationGuard reads lives on the handler. The resources service
 * decides who sees and changes which resource (owner, Admins, visibility).
 */
function registryController(kind: ResourceKind): Type {
  const what = `${kind[0].toUpperCase()}${kind.slice(1)}`;
  const ref = (id: string) => ({ kind, resourceId: pathId(id, what) });

  @Controller()
  class RegistryController {
    constructor(private readonly services: ServiceClient) {}

    @Route(registryOperationId(kind, 'list'))
    list(
      @Query() query: unknown,
      @HttpRequestContext() context: RequestContext,
    ): Promise<ServiceReply<ResourceView[]>> {
      return this.services.request(
        RESOURCES_SUBJECTS.listResources,
        servicePayload(query, { kind }),
        context,
      );
    }

    @Route(registryOperationId(kind, 'get'))
    get(
      @Param('id') id: string,
      @HttpRequestContext() context: RequestContext,
    ): Promise<ServiceReply<ResourceView | PublicResourceView>> {
      return this.services.request(RESOURCES_SUBJECTS.getResource, ref(id), context);
    }

    @Route(registryOperationId(kind, 'update'))
    update(
      @Param('id') id: string,
      @Body() body: unknown,
      @HttpRequestContext() context: RequestContext,
    ): Promise<ServiceReply<ResourceView>> {
      return this.services.request(
        RESOURCES_SUBJECTS.updateResource,
        servicePayload(body, ref(id)),
        context,
      );
    }

    @Route(registryOperationId(kind, 'delete'))
    delete(
      @Param('id') id: string,
      @HttpRequestContext() context: RequestContext,
    ): Promise<ServiceReply<ResourceRemovedView>> {
      return this.services.request(RESOURCES_SUBJECTS.deleteResource, ref(id), context);
    }

    @Route(registryOperationId(kind, 'publish'))
    publish(
      @Param('id') id: string,
      @Body() body: unknown,
      @HttpRequestContext() context: RequestContext,
    ): Promise<ServiceReply<ResourceView>> {
      return this.services.request(
        RESOURCES_SUBJECTS.publishResource,
        servicePayload(body, ref(id)),
        context,
      );
    }
  }

  // Named after its collection, as a hand-written one would be, for logs and stack traces.
  const collection = RESOURCE_COLLECTIONS[kind];
  Object.defineProperty(RegistryController, 'name', {
    value: `${collection[0].toUpperCase()}${collection.slice(1)}Controller`,
  });
  return RegistryController;
}

export const REGISTRY_CONTROLLERS = RESOURCE_KINDS.map(registryController);
