/** NATS subjects of the audit service: its own, versioned like every service's. */
export const AUDIT_SUBJECTS = {
  /** audit entries of the caller's organization, filtered, in cursor pages */
  listEntries: 'audit.v1.listEntries',
  /** one page of an export; the gateway streams pages to the client, so none sits in memory */
  exportPage: 'audit.v1.exportPage',
  /** walks the organization's hash chain over a range; names the first entry that does not match */
  verifyChain: 'audit.v1.verifyChain',
  /** the organization's state as of a time or a position, folded from its events */
  replayOrganization: 'audit.v1.replayOrganization',
  /** what changed in the organization between two moments */
  diffOrganization: 'audit.v1.diffOrganization',
  health: 'audit.v1.health',
} as const;
