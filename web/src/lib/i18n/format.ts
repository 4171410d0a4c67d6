// Pure message formatting (no runes), so it is unit-testable outside Svelte.

export type Params = Record<string, string | number>;

/** Replaces `{name}` with params.name; placeholders without a param stay as written. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** "2 h 5 min", "45 s"…: a duration for people; `units` come from the locale. */
export function formatDuration(
  seconds: number,
  units: {
    s: (n: number) => string;
    m: (n: number) => string;
    hm: (h: number, m: number) => string;
    d: (n: number) => string;
  },
): string {
  // Floor: a window with 23 h 59 min left must not read "1 d".
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return units.s(s);
  if (s < 3600) return units.m(Math.floor(s / 60));
  if (s < 86_400) return units.hm(Math.floor(s / 3600), Math.floor((s % 3600) / 60));
  return units.d(Math.floor(s / 86_400));
}
