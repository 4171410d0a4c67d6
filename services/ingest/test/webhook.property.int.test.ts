import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { metaJson, signMeta } from '../../../infra/fake-platforms';
import { createChannel, createWorkspace } from '../../worker/test/inbound.helpers';
import { fixture, FIXTURES, META_SECRET, post, startPipeline, TG_SECRET } from './pipeline.helpers';

// Random and mutated payloads, properly signed, through the whole pipeline: the hub never
// answers 5xx, never crashes, and every accepted payload ends processed or kept as an
// unhandled raw event (never stuck, never lost). Unsigned garbage is refused without a trace.

type Platform = 'whatsapp' | 'messenger' | 'telegram';

const seeds: { type: Platform; body: unknown }[] = (['whatsapp', 'messenger', 'telegram'] as const).flatMap((type) =>
  readdirSync(join(FIXTURES, type))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.request.json'))
    .map((f) => ({ type, body: JSON.parse(fixture(`${type}/${f}`).toString('utf8')) as unknown })),
);

type Op = { at: number; action: 'delete' | 'replace' | 'duplicate'; value: unknown };

/** Every container path in a JSON tree (objects and arrays), for picking where to mutate. */
function containers(v: unknown, out: unknown[] = []): unknown[] {
  if (v !== null && typeof v === 'object') {
    out.push(v);
    for (const child of Object.values(v as Record<string, unknown>)) containers(child, out);
  }
  return out;
}

function mutate(body: unknown, ops: Op[]): unknown {
  const copy = structuredClone(body);
  for (const op of ops) {
    const all = containers(copy);
    if (all.length === 0) return op.value;
    const target = all[op.at % all.length] as Record<string, unknown> | unknown[];
    const keys = Object.keys(target);
    if (keys.length === 0) continue;
    const key = keys[op.at % keys.length]!;
    if (Array.isArray(target)) {
      const i = Number(key);
      if (op.action === 'delete') target.splice(i, 1);
      else if (op.action === 'duplicate') target.push(structuredClone(target[i]));
      else target[i] = op.value;
    } else if (op.action === 'delete') delete target[key];
    else if (op.action === 'duplicate') target[`${key}_copy`] = structuredClone(target[key]);
    else target[key] = op.value;
  }
  return copy;
}

const op: fc.Arbitrary<Op> = fc.record({
  at: fc.nat(),
  action: fc.constantFrom('delete' as const, 'replace' as const, 'duplicate' as const),
  value: fc.jsonValue({ maxDepth: 2 }),
});

const payload = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...seeds), fc.array(op, { minLength: 1, maxLength: 4 }))
      .map(([s, ops]) => ({ type: s.type, body: mutate(s.body, ops) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom<Platform>('whatsapp', 'messenger', 'telegram'), fc.jsonValue({ maxDepth: 3 }))
      .map(([type, body]) => ({ type, body })),
  },
);

describeDrivers('webhooks under random and mutated payloads', startPipeline, (hub) => {
  const db = () => hub().rt.database.db;

  async function channels() {
    const ws = await createWorkspace(db(), 'fuzz');
    // Ids from the fixtures, so mutated payloads that keep them route to these channels.
    return {
      whatsapp: await createChannel(
        db(),
        ws,
        'whatsapp',
        { phoneNumberId: '106540352242922', accessToken: 't', appSecret: META_SECRET, verifyToken: 'v' },
        '106540352242922',
      ),
      messenger: await createChannel(
        db(),
        ws,
        'messenger',
        { pageId: '117172741761305', pageAccessToken: 't', appSecret: META_SECRET, verifyToken: 'v' },
        '117172741761305',
      ),
      telegram: await createChannel(
        db(),
        ws,
        'telegram',
        { botToken: '7012345678:fuzz', secretToken: TG_SECRET },
        '7012345678',
      ),
    };
  }

  it('answers 200 to every signed JSON payload and keeps each one processed or unhandled', async () => {
    const ids = await channels();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(payload, async ({ type, body }) => {
        const raw = type === 'telegram' ? JSON.stringify(body) : metaJson(body);
        const headers: Record<string, string> =
          type === 'telegram'
            ? { 'x-telegram-bot-api-secret-token': TG_SECRET }
            : { 'x-hub-signature-256': signMeta(raw, META_SECRET) };
        const res = await post(`${hub().url}/webhooks/${type}/${ids[type]}`, raw, headers);
        expect(res.status).toBe(200);
        accepted += 1;
      }),
      { numRuns: 60, seed: 20250601 },
    );
    await hub().settle();
    const log = await db()
      .selectFrom('webhook_events')
      .select(['status'])
      .where('channel_id', 'in', Object.values(ids))
      .execute();
    expect(log).toHaveLength(accepted);
    for (const row of log) expect(['processed', 'unhandled']).toContain(row.status);
  });

  it('refuses unsigned or non-JSON bytes without storing anything', async () => {
    const ids = await channels();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const body = Buffer.from(bytes);
        let isJson = true;
        try {
          JSON.parse(body.toString('utf8'));
        } catch {
          isJson = false;
        }
        const unsigned = await post(`${hub().url}/webhooks/whatsapp/${ids.whatsapp}`, body, {});
        expect(unsigned.status).toBe(401);
        const signed = await post(`${hub().url}/webhooks/messenger/${ids.messenger}`, body, {
          'x-hub-signature-256': signMeta(body, META_SECRET),
        });
        expect(signed.status).toBe(isJson ? 200 : 400);
      }),
      { numRuns: 40, seed: 7 },
    );
    await hub().settle();
    const stored = await db()
      .selectFrom('webhook_events')
      .select('id')
      .where('channel_id', '=', ids.whatsapp)
      .execute();
    expect(stored).toHaveLength(0);
  });
});
