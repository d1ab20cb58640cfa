import type { MemberPreferenceEvent } from '@orgplane/contracts';
import type { Decider } from '@orgplane/util';

/** What one user chose for themself across organizations: stream `member-<userId>`. */
export interface MemberPreferences {
  /** the organization last switched to; it may have lost the user since (see getAccess) */
  activeOrganizationId: string | null;
}

/** The handler has checked that the user is a member of the organization. */
export interface SwitchActiveOrganization {
  type: 'SwitchActiveOrganization';
  data: { userId: string; organizationId: string };
  metadata: { now: Date };
}

export type MemberPreferencesCommand = SwitchActiveOrganization;

export function initialState(): MemberPreferences {
  return { activeOrganizationId: null };
}

/** Switching to the organization already active records nothing. */
export function switchActiveOrganization(
  command: SwitchActiveOrganization,
  state: MemberPreferences,
): MemberPreferenceEvent[] {
  const { userId, organizationId } = command.data;
  if (state.activeOrganizationId === organizationId) return [];
  return [
    {
      type: 'ActiveOrganizationSwitched',
      data: { userId, organizationId, switchedAt: command.metadata.now.toISOString() },
    },
  ];
}

export function decide(
  command: MemberPreferencesCommand,
  state: MemberPreferences,
): MemberPreferenceEvent[] {
  switch (command.type) {
    case 'SwitchActiveOrganization':
      return switchActiveOrganization(command, state);
    default: {
      const unknown: never = command.type;
      throw new Error(`Unknown command ${String(unknown)}`);
    }
  }
}

export function evolve(state: MemberPreferences, event: MemberPreferenceEvent): MemberPreferences {
  switch (event.type) {
    case 'ActiveOrganizationSwitched':
      return { activeOrganizationId: event.data.organizationId };
    default:
      return state;
  }
}

export const memberPreferencesDecider: Decider<
  MemberPreferencesCommand,
  MemberPreferences,
  MemberPreferenceEvent
> = { initialState, decide, evolve };
