import type { MemberPreferenceEvent } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import {
  memberPreferencesDecider,
  type SwitchActiveOrganization,
} from './member-preferences.decider';

const userId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const acme = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const globex = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const now = new Date('2026-03-01T12:00:00.000Z');
const spec = deciderSpecification(memberPreferencesDecider);

const switchTo = (organizationId: string): SwitchActiveOrganization => ({
  type: 'SwitchActiveOrganization',
  data: { userId, organizationId },
  metadata: { now },
});

const switched = (organizationId: string): MemberPreferenceEvent => ({
  type: 'ActiveOrganizationSwitched',
  data: { userId, organizationId, switchedAt: now.toISOString() },
});

describe('SwitchActiveOrganization', () => {
  it('switches to another organization', () => {
    spec
      .given([])
      .when(switchTo(acme))
      .then([switched(acme)]);
    spec
      .given([switched(acme)])
      .when(switchTo(globex))
      .then([switched(globex)]);
  });

  it('records nothing when the organization is already the active one', () => {
    spec
      .given([switched(globex), switched(acme)])
      .when(switchTo(acme))
      .then([]);
  });
});
