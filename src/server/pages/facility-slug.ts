/**
 * Stable, URL-safe ids for detention facilities. ICE's Facilities sheet has no facility
 * code, so a facility is known by its name and state across releases; the slug is made
 * from both, normalised so that case, accents, punctuation and spacing changes between
 * releases ("Stewart Detention Center" / "STEWART DETENTION CENTER") give the same id.
 */

/** The facility name reduced to lower-case ASCII words joined by hyphens. */
export function slugifyName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’‘`]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A two-letter state code, upper case, or undefined when the value is not one. */
export function stateCode(state: unknown): string | undefined {
  const s = typeof state === 'string' ? state.trim().toUpperCase() : '';
  return /^[A-Z]{2}$/.test(s) ? s : undefined;
}

/**
 * The facility's slug: normalised name, then the state in lower case,
 * e.g. `stewart-detention-center-ga`. A facility without a state gets the name alone.
 */
export function facilitySlug(name: string, state: string | null | undefined): string {
  const base = slugifyName(name) || 'facility';
  const st = stateCode(state);
  return st ? `${base}-${st.toLowerCase()}` : base;
}

/** Whether text has the shape of a slug (so a path can be rejected before any query). */
export function isSlug(text: string): boolean {
  return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(text) && text.length <= 240;
}
