import { beforeAll, describe, expect, it } from 'vitest';
import { describeDrivers } from '@hub/shared/testing';
import { call, newPhone, startCrm, team, type Team } from './crm-test-client';

describeDrivers(
  'contacts',
  async (set) => Object.assign(await startCrm(set), { t: undefined as Team | undefined }),
  (svc) => {
    beforeAll(async () => {
      svc().t = await team(svc());
    });
    const as = (role: keyof Team = 'admin') => svc().t![role].accessToken;
    const create = (body: unknown, role: keyof Team = 'admin') =>
      call(svc(), 'POST', '/api/v1/contacts', { token: as(role), body });

    describe('create', () => {
      it('stores the phone in E.164, derives the country and answers 201 with the record', async () => {
        const res = await create({
          name: 'Ana',
          phone: '+34 612-34 ' + String(Math.floor(1000 + Math.random() * 8999)),
          email: 'Ana@Example.com',
        });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          name: 'Ana',
          email: 'ana@example.com',
          kind: 'person',
          status: 'prospect',
          category: null,
          country: 'ES',
          tags: [],
          identities: [],
        });
        expect(res.body.phone).toMatch(/^\+34612\d{6}$/);
        expect(res.body.id).toBeTruthy();
        expect(res.body.createdAt).toMatch(/Z$/);
      });

      it('keeps an explicit country and reads a local number in it', async () => {
        const res = await create({
          name: 'Local',
          phone: '0' + '20 7946 0' + String(Math.floor(100 + Math.random() * 899)),
          country: 'gb',
        });
        expect(res.status).toBe(201);
        expect(res.body.country).toBe('GB');
        expect(res.body.phone).toMatch(/^\+44207946/);
      });

      it('refuses an invalid phone with 400 naming phone', async () => {
        const res = await create({ name: 'Bad', phone: '12345' });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(res.body.error.details).toEqual([
          { field: 'phone', message: expect.stringContaining('not a valid phone number') },
        ]);
      });

      it('refuses a phone already used in the workspace with 409 contact_phone_taken', async () => {
        const phone = newPhone();
        const first = await create({ name: 'First', phone });
        const dup = await create({ name: 'Second', phone: phone.replace('+34', '+34 ') });
        expect(dup.status).toBe(409);
        expect(dup.body.error.code).toBe('contact_phone_taken');
        expect(dup.body.error.details[0]).toMatchObject({ field: 'phone', contactId: first.body.id });
        // Changing another contact to that phone is the same conflict.
        const other = await create({ name: 'Third' });
        const patch = await call(svc(), 'PATCH', `/api/v1/contacts/${other.body.id}`, { token: as(), body: { phone } });
        expect(patch.status).toBe(409);
        expect(patch.body.error.code).toBe('contact_phone_taken');
      });

      it('allows the same phone in another workspace', async () => {
        const phone = newPhone();
        expect((await create({ name: 'Here', phone })).status).toBe(201);
        const other = await team(svc());
        const res = await call(svc(), 'POST', '/api/v1/contacts', {
          token: other.admin.accessToken,
          body: { name: 'There', phone },
        });
        expect(res.status).toBe(201);
      });

      it('names every bad field', async () => {
        const res = await create({ name: '', email: 'nope', category: 'gold', status: 'x', tags: 'vip', extra: 1 });
        expect(res.status).toBe(400);
        const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
        expect(fields).toEqual(['category', 'email', 'extra', 'name', 'status', 'tags']);
      });
    });

    describe('read and change', () => {
      it('gets, patches partially and soft-deletes', async () => {
        const c = (await create({ name: 'Patchy', category: 'low', notes: 'n1', address: 'Calle 1' })).body;
        const got = await call(svc(), 'GET', `/api/v1/contacts/${c.id}`, { token: as('agent') });
        expect(got.status).toBe(200);
        expect(got.body).toEqual(c);
        const patched = await call(svc(), 'PATCH', `/api/v1/contacts/${c.id}`, {
          token: as('agent'),
          body: { category: 'vip', tags: ['a', 'a', 'b'], kind: 'company' },
        });
        expect(patched.status).toBe(200);
        expect(patched.body).toMatchObject({
          name: 'Patchy',
          category: 'vip',
          tags: ['a', 'b'],
          kind: 'company',
          notes: 'n1',
          address: 'Calle 1',
        });
        expect((await call(svc(), 'DELETE', `/api/v1/contacts/${c.id}`, { token: as('agent') })).status).toBe(403);
        const del = await call(svc(), 'DELETE', `/api/v1/contacts/${c.id}`, { token: as('supervisor') });
        expect(del.status).toBe(204);
        expect((await call(svc(), 'GET', `/api/v1/contacts/${c.id}`, { token: as() })).status).toBe(404);
        // Soft: the row is still there for history.
        const row = await svc()
          .rt.database.db.selectFrom('contacts')
          .select('deleted_at')
          .where('id', '=', c.id)
          .executeTakeFirst();
        expect(row?.deleted_at).toBeInstanceOf(Date);
      });

      it('frees the phone of a deleted contact', async () => {
        const phone = newPhone();
        const c = (await create({ name: 'Gone', phone })).body;
        await call(svc(), 'DELETE', `/api/v1/contacts/${c.id}`, { token: as() });
        expect((await create({ name: 'Reborn', phone })).status).toBe(201);
      });

      it('answers 404 for an unknown or malformed id', async () => {
        expect(
          (await call(svc(), 'GET', '/api/v1/contacts/00000000-0000-4000-8000-000000000000', { token: as() })).status,
        ).toBe(404);
        const bad = await call(svc(), 'GET', '/api/v1/contacts/not-a-uuid', { token: as() });
        expect(bad.status).toBe(404);
        expect(bad.body.error.code).toBeTruthy();
      });

      it('shows channel identities', async () => {
        const c = (await create({ name: 'Identified' })).body;
        await svc()
          .rt.database.db.insertInto('contact_identities')
          .values({
            workspace_id: svc().t!.admin.user.workspaceId,
            contact_id: c.id,
            kind: 'telegram',
            value: `tg-${c.id}`,
          })
          .execute();
        const got = await call(svc(), 'GET', `/api/v1/contacts/${c.id}`, { token: as() });
        expect(got.body.identities).toEqual([{ kind: 'telegram', value: `tg-${c.id}` }]);
      });
    });

    describe('list, search, lookup', () => {
      it('filters, searches by name, phone and email, and pages with a cursor', async () => {
        const t = await team(svc());
        const tok = t.admin.accessToken;
        const mk = (body: object) => call(svc(), 'POST', '/api/v1/contacts', { token: tok, body });
        const phone = newPhone();
        await mk({ name: 'Jonathan Smith', status: 'active', category: 'vip', tags: ['golf'], phone });
        await mk({ name: 'Maria Lopez', status: 'active', email: 'maria@shop.example' });
        await mk({ name: 'Peter Parker', status: 'inactive', tags: ['golf', 'web'] });
        for (let i = 0; i < 5; i++) await mk({ name: `Bulk ${i}` });
        const list = async (qs: string) =>
          (await call(svc(), 'GET', `/api/v1/contacts${qs}`, { token: tok })).body as {
            items: { name: string }[];
            nextCursor: string | null;
          };

        expect((await list('?status=active')).items.map((c) => c.name).sort()).toEqual([
          'Jonathan Smith',
          'Maria Lopez',
        ]);
        expect((await list('?category=vip')).items.map((c) => c.name)).toEqual(['Jonathan Smith']);
        expect((await list('?tag=golf')).items.map((c) => c.name).sort()).toEqual(['Jonathan Smith', 'Peter Parker']);
        expect((await list('?q=jonathan')).items.map((c) => c.name)).toEqual(['Jonathan Smith']);
        expect((await list('?q=Jonathon%20Smith')).items.map((c) => c.name)).toContain('Jonathan Smith'); // typo
        expect((await list(`?q=${phone.slice(-6)}`)).items.map((c) => c.name)).toEqual(['Jonathan Smith']);
        expect((await list('?q=shop.example')).items.map((c) => c.name)).toEqual(['Maria Lopez']);

        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
          expect(page.items.length).toBeLessThanOrEqual(3);
          seen.push(...page.items.map((c) => c.name));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(3);
        expect(seen).toHaveLength(8);
        expect(new Set(seen).size).toBe(8);
        expect(seen[0]).toBe('Bulk 4'); // newest first

        const badCursor = await call(svc(), 'GET', '/api/v1/contacts?cursor=zzz', { token: tok });
        expect(badCursor.status).toBe(400);
        expect(badCursor.body.error.details[0].field).toBe('cursor');
        const badFilter = await call(svc(), 'GET', '/api/v1/contacts?status=gone&limit=0', { token: tok });
        expect(badFilter.status).toBe(400);
        expect(badFilter.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'status']);
      });

      it('looks a contact up by phone in any format', async () => {
        const phone = newPhone();
        const c = (await create({ name: 'Lookup', phone })).body;
        const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`;
        const res = await call(svc(), 'GET', `/api/v1/contacts/lookup?phone=${encodeURIComponent(spaced)}`, {
          token: as('agent'),
        });
        expect(res.status).toBe(200);
        expect(res.body.id).toBe(c.id);
        const missing = await call(svc(), 'GET', `/api/v1/contacts/lookup?phone=${encodeURIComponent(newPhone())}`, {
          token: as(),
        });
        expect(missing.status).toBe(404);
        expect(missing.body.error.code).toBe('contact_not_found');
        expect((await call(svc(), 'GET', '/api/v1/contacts/lookup', { token: as() })).body.error.details[0].field).toBe(
          'phone',
        );
      });
    });

    describe('merge', () => {
      it('moves identities, conversations and leads, fills blanks, deletes the other, and audits it', async () => {
        const t = svc().t!;
        const ws = t.admin.user.workspaceId;
        const db = svc().rt.database.db;
        const phone = newPhone();
        const keep = (await create({ name: 'Keep', tags: ['a'], notes: 'keep notes' })).body;
        const other = (
          await create({ name: 'Other', phone, email: 'other@x.example', tags: ['b'], notes: 'other notes' })
        ).body;
        await db
          .insertInto('contact_identities')
          .values({ workspace_id: ws, contact_id: other.id, kind: 'whatsapp', value: `wa-${other.id}` })
          .execute();
        const channel = await db
          .insertInto('channels')
          .values({ workspace_id: ws, type: 'whatsapp', name: 'wa', credentials: 'x', external_id: `pn-${other.id}` })
          .returning('id')
          .executeTakeFirstOrThrow();
        const conv = await db
          .insertInto('conversations')
          .values({ workspace_id: ws, channel_id: channel.id, contact_id: other.id, last_activity_at: new Date() })
          .returning('id')
          .executeTakeFirstOrThrow();
        const lead = (await call(svc(), 'POST', '/api/v1/leads', { token: as(), body: { contactId: other.id } })).body;

        const res = await call(svc(), 'POST', `/api/v1/contacts/${keep.id}/merge`, {
          token: as(),
          body: { otherId: other.id },
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          id: keep.id,
          name: 'Keep',
          phone,
          email: 'other@x.example',
          tags: ['a', 'b'],
          notes: 'keep notes\n\nother notes',
          identities: [{ kind: 'whatsapp', value: `wa-${other.id}` }],
        });
        expect((await call(svc(), 'GET', `/api/v1/contacts/${other.id}`, { token: as() })).status).toBe(404);
        expect((await call(svc(), 'GET', `/api/v1/leads/${lead.id}`, { token: as() })).body.contactId).toBe(keep.id);
        const movedConv = await db
          .selectFrom('conversations')
          .select('contact_id')
          .where('id', '=', conv.id)
          .executeTakeFirstOrThrow();
        expect(movedConv.contact_id).toBe(keep.id);

        const audit = await call(svc(), 'GET', `/api/v1/audit?table=contacts&recordId=${keep.id}&action=merge`, {
          token: as(),
        });
        expect(audit.body.items).toHaveLength(1);
        expect(audit.body.items[0].after).toMatchObject({
          mergedFrom: other.id,
          moved: { identities: 1, conversations: 1, leads: 1 },
        });
        expect(audit.body.items[0].actorId).toBe(t.admin.user.id);
      });

      it('refuses merging a contact into itself, and unknown ids', async () => {
        const c = (await create({ name: 'Self' })).body;
        const self = await call(svc(), 'POST', `/api/v1/contacts/${c.id}/merge`, {
          token: as(),
          body: { otherId: c.id },
        });
        expect(self.status).toBe(400);
        expect(self.body.error.details[0].field).toBe('otherId');
        const unknown = await call(svc(), 'POST', `/api/v1/contacts/${c.id}/merge`, {
          token: as(),
          body: { otherId: '00000000-0000-4000-8000-000000000000' },
        });
        expect(unknown.status).toBe(404);
      });
    });
  },
);
