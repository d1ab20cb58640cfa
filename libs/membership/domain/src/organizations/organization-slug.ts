const SLUG_BASE_MAX_LENGTH = 48;

/**
 * A URL-friendly name: the name in lowercase ASCII words joined by dashes, then the first 8 hex
 * digits of the organization's id, so two organizations with the same name get different slugs
 * without a lookup (`Acme Inc.` → `acme-inc-3fa85f64`). A name with no Latin letters or digits
 * gives `org-<suffix>`.
 */
export function organizationSlug(name: string, organizationId: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_BASE_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  const suffix = organizationId.replace(/-/g, '').slice(0, 8).toLowerCase();
  return `${base || 'org'}-${suffix}`;
}
