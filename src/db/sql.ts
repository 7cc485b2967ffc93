/** Quoting for identifiers. Values are bound as parameters, except where `literal` says why not. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/**
 * A string as an SQL literal, for the few statements that take no parameters (ATTACH) or
 * whose values are our own identifiers (release ids of a staging copy).
 */
export function literal(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}
