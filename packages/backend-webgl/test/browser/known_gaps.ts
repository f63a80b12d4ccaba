/**
 * Parity cases the webgl backend is known to fail, one reason each. The list only shrinks: a
 * listed case that starts passing fails the suite until its entry is deleted.
 */
export const KNOWN_GAPS: Record<string, string> = {};
