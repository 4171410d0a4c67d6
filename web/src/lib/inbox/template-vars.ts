// Reply templates carry variables like {{contact.name}}; the composer fills the known ones and
// leaves the rest for the agent to complete.

export type TemplateContext = Record<string, string | null | undefined>;

export function fillTemplate(body: string, ctx: TemplateContext): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
    const v = ctx[name];
    return v === undefined || v === null || v === '' ? whole : v;
  });
}

/** Templates whose shortcut or text matches what follows the `/`. */
export function searchTemplates<T extends { shortcut: string; body: string }>(all: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return all.slice(0, 20);
  const starts = all.filter((x) => x.shortcut.toLowerCase().startsWith(q));
  const rest = all.filter((x) => !starts.includes(x) && `${x.shortcut} ${x.body}`.toLowerCase().includes(q));
  return [...starts, ...rest].slice(0, 20);
}
