import { nameBasedUuid, ServiceError, validDisplayName } from '@orgplane/util';

const SLUG_MAX_LENGTH = 100;
/** Lowercase letters, digits and dashes, a letter or digit at each end (as agents' slugs). */
const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** What the Personal workspaces' slugs look like: no organization workspace may take one. */
const PERSONAL_SLUG = /^personal-[0-9a-f]{8}$/;

/** `personal-<first 8 of the member's id>`: unique in the organization, whatever their name. */
export function personalWorkspaceSlug(userId: string): string {
  return `personal-${userId.slice(0, 8).toLowerCase()}`;
}

/**
 * The slug of a new organization workspace: the one given, or the name in lowercase ASCII words
 * joined by dashes (`Data Sets` → `data-sets`). A name with no Latin letters or digits needs one
 * given. Problems are a 400 on the field at fault; a Personal workspace's slug is taken.
 */
export function newWorkspaceSlug(name: string, slug: string | undefined): string {
  const chosen = slug === undefined ? slugOfName(validDisplayName(name)) : validSlug(slug);
  if (!chosen) {
    throw ServiceError.validation({ slug: ['The name has no letters or digits: give a slug'] });
  }
  if (PERSONAL_SLUG.test(chosen)) {
    throw ServiceError.conflict(
      'slug_taken',
      'Slugs of the form personal-<8 hex digits> belong to members’ Personal workspaces',
    );
  }
  return chosen;
}

function validSlug(slug: string): string {
  if (slug.length > SLUG_MAX_LENGTH || !SLUG.test(slug)) {
    throw ServiceError.validation({
      slug: [
        `Lowercase letters, digits and dashes, a letter or digit at each end, at most ${SLUG_MAX_LENGTH} characters`,
      ],
    });
  }
  return slug;
}

/** Always a valid slug, or empty. */
function slugOfName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
}

/**
 * An organization workspace's id derives from its organization and its slug, which never
 * changes: two members creating the same slug at once meet on one stream, and the second is a
 * 409 `slug_taken`. A deleted workspace frees its slug, and the next one to take it gets its id.
 */
export function workspaceIdOf(organizationId: string, slug: string): string {
  return nameBasedUuid('workspace', `${organizationId}:${slug}`);
}
