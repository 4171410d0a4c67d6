import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelAdapters } from '../../src/channels';
import { ChannelType, InboundEvent } from '../../src/events';
import { bodyFixtures, fixture } from './fixture.helpers';

// normalize is on the webhook path: whatever a platform (or an attacker with a valid signature)
// sends, it must return contract-valid events and never throw.

type Json = unknown;
type Path = (string | number)[];

const platforms = ChannelType.options;
const allFixtures = platforms.flatMap((p) => bodyFixtures(p).map((path) => fixture(path)));

function paths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

const OPS = ['delete', 'replace', 'null', 'retype', 'wrap', 'empty'] as const;
type Mutation = { at: number; op: (typeof OPS)[number]; value: Json };

function retype(v: Json): Json {
  if (typeof v === 'string') return Number.isNaN(Number(v)) ? v.length : Number(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 1 : 'false';
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (v && typeof v === 'object') return Object.values(v);
  return 0;
}

function mutate(doc: Json, mutations: Mutation[]): Json {
  let root = structuredClone(doc);
  for (const m of mutations) {
    const all = paths(root);
    if (all.length === 0) {
      root = m.value;
      continue;
    }
    const path = all[m.at % all.length]!;
    const parent = path.slice(0, -1).reduce<any>((node, k) => node[k], root); // eslint-disable-line @typescript-eslint/no-explicit-any
    const key = path[path.length - 1]!;
    const current = parent[key] as Json;
    switch (m.op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'replace':
        parent[key] = m.value;
        break;
      case 'null':
        parent[key] = null;
        break;
      case 'retype':
        parent[key] = retype(current);
        break;
      case 'wrap':
        parent[key] = [current];
        break;
      case 'empty':
        parent[key] = Array.isArray(current) ? [] : typeof current === 'string' ? '' : {};
        break;
    }
  }
  return root;
}

const mutationArb = fc.record({
  at: fc.nat(),
  op: fc.constantFrom(...OPS),
  value: fc.jsonValue({ maxDepth: 2 }),
});

function assertContract(type: ChannelType, body: unknown): void {
  let events: InboundEvent[] = [];
  expect(() => {
    events = channelAdapters[type].normalize(body);
  }).not.toThrow();
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    const parsed = InboundEvent.safeParse(e);
    if (!parsed.success) throw new Error(`invalid event ${JSON.stringify(e)}: ${parsed.error.message}`);
    expect(e.channelType).toBe(type);
  }
}

describe('normalize under random input (fast-check)', () => {
  it.each(platforms)('%s: arbitrary JSON never throws and yields valid events', (type) => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => assertContract(type, body)),
      { numRuns: 500 },
    );
  });

  it.each(platforms)('%s: mutated fixtures (of every platform) never throw and yield valid events', (type) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...allFixtures),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        (doc, mutations) => assertContract(type, mutate(doc, mutations)),
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1500) },
    );
  });

  it.each(platforms)('%s: fixture shapes with arbitrary leaves never throw', (type) => {
    // Swap every leaf for an arbitrary JSON value with some probability: types go wrong deep inside.
    const own = bodyFixtures(type).map((p) => fixture(p));
    fc.assert(
      fc.property(
        fc.constantFrom(...own),
        fc.infiniteStream(fc.option(fc.jsonValue({ maxDepth: 1 }), { freq: 4 })),
        (doc, stream) => {
          const it = stream[Symbol.iterator]();
          const swap = (v: Json): Json => {
            if (Array.isArray(v)) return v.map(swap);
            if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
            const next = it.next().value as Json | null;
            return next === null ? v : next;
          };
          assertContract(type, swap(doc));
        },
      ),
      { numRuns: 500 },
    );
  });
});
