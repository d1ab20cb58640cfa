import { foldEvents, type Decider } from '@orgplane/util';

/**
 * Decider tests that read like the domain:
 *
 *   const spec = deciderSpecification(organizationDecider);
 *   spec.given([]).when(createOrganization).then([organizationCreated, memberJoined]);
 *   spec.given([organizationCreated]).when(createOrganization).thenThrows(isConflict);
 */
export function deciderSpecification<Command, State, Event>(
  decider: Decider<Command, State, Event>,
) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const decide = () => {
            return decider.decide(command, foldEvents(decider, events));
          };
          return {
            then(expected: Event[]): void {
              expect(decide()).toEqual(expected);
            },
            /** `check` may assert on the error (or return false to fail the test) */
            thenThrows<Failure extends Error>(check?: (error: Failure) => boolean | void): void {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              if (thrown === undefined) throw new Error('Expected the command to be refused');
              if (check) expect(check(thrown as Failure)).not.toBe(false);
            },
          };
        },
      };
    },
  };
}
