// Business hours, for the "in business hours" variant of every response-time sample.
//
// The shape is the workspace settings' own (services/crm workspace.settings.ts):
//   settings.timezone       IANA zone, e.g. "Europe/Madrid" (default UTC)
//   settings.businessHours  [{ day: 0 (Sunday) … 6, open: "09:00", close: "18:00" }, …]
// Several entries per day make split shifts. A close at or before the open (e.g. "00:00")
// runs to midnight. An empty list means the workspace has no business hours: the business
// variant of a sample is then null (not "always open"), so it is never mistaken for one.

export interface BusinessHours {
  timezone: string;
  /** Per weekday (0 = Sunday), opening intervals as minutes from local midnight. */
  days: [number, number][][];
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutes(t: unknown): number | undefined {
  if (typeof t !== 'string') return undefined;
  const m = TIME.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads workspaces.settings leniently; undefined when no business hours are set. */
export function businessHoursOf(settings: unknown): BusinessHours | undefined {
  const s = (settings ?? {}) as { timezone?: unknown; businessHours?: unknown };
  if (!Array.isArray(s.businessHours) || s.businessHours.length === 0) return undefined;
  const timezone = typeof s.timezone === 'string' && validZone(s.timezone) ? s.timezone : 'UTC';
  const days: [number, number][][] = [[], [], [], [], [], [], []];
  for (const entry of s.businessHours as unknown[]) {
    const e = (entry ?? {}) as { day?: unknown; open?: unknown; close?: unknown };
    const open = minutes(e.open);
    let close = minutes(e.close);
    if (typeof e.day !== 'number' || !Number.isInteger(e.day) || e.day < 0 || e.day > 6) continue;
    if (open === undefined || close === undefined) continue;
    if (close <= open) close = 24 * 60;
    days[e.day]!.push([open, close]);
  }
  if (days.every((d) => d.length === 0)) return undefined;
  return { timezone, days };
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(tz, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function localParts(ms: number, tz: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return { y: p.year!, m: p.month!, d: p.day!, hh: p.hour!, mm: p.minute!, ss: p.second! };
}

/** Offset of the zone at an instant, in ms (local − UTC). */
function offsetAt(ms: number, tz: string): number {
  const l = localParts(ms, tz);
  const asUtc = Date.UTC(l.y, l.m - 1, l.d, l.hh, l.mm, l.ss);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of a local wall time (DST gaps resolve forward, overlaps to the first). */
function instantOf(y: number, m: number, d: number, minuteOfDay: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d, 0, minuteOfDay);
  let t = guess - offsetAt(guess, tz);
  t = guess - offsetAt(t, tz);
  return t;
}

/** Seconds of [from, to) that fall inside business hours; null without business hours. */
export function businessSeconds(hours: BusinessHours | undefined, from: Date, to: Date): number | null {
  if (!hours) return null;
  const start = from.getTime();
  const end = to.getTime();
  if (!(end > start)) return 0;
  let total = 0;
  const first = localParts(start, hours.timezone);
  // Walk local calendar days from the start's day; bounded so a bad input cannot spin.
  let cursor = Date.UTC(first.y, first.m - 1, first.d);
  for (let i = 0; i < 400; i++) {
    const day = new Date(cursor);
    const y = day.getUTCFullYear();
    const m = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    const dayStart = instantOf(y, m, d, 0, hours.timezone);
    if (dayStart >= end) break;
    for (const [open, close] of hours.days[day.getUTCDay()]!) {
      const a = Math.max(start, instantOf(y, m, d, open, hours.timezone));
      const b = Math.min(
        end,
        close >= 24 * 60 ? instantOf(y, m, d + 1, 0, hours.timezone) : instantOf(y, m, d, close, hours.timezone),
      );
      if (b > a) total += b - a;
    }
    cursor += 24 * 60 * 60 * 1000;
  }
  return total / 1000;
}
