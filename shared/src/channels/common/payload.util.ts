import { z } from 'zod';

// Building blocks for lenient platform schemas: ids that arrive as strings or numbers
// (Messenger app_id, Telegram chat ids) become strings; unknown keys pass through.

export const IdString = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** An array whose items are parsed one by one later (one bad item must not sink the rest). */
export const Items = z.array(z.unknown());
