/** Quoting for identifiers. Values never go into SQL text: they are bound as parameters. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
