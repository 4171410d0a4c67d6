import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@hub/shared/config';
import { createRuntime } from '@hub/shared/runtime';
import { createWorkspaceWithAdmin } from '../workspaces/workspace.service';
import { seedWorkspace } from './seed';
import { findWorkspaceById, findWorkspacesByName } from './seed.repository';

// npm run seed -- [--workspace <id|name>] [--password <demo users' password>] [--force]
//
// Fills a workspace with demo data (services, campaigns, contacts with Spanish and Russian
// names, leads across the Sales funnel, quotes, contracts with their PDFs, invoices, partial and
// full payments, consultations). Without --workspace: the HUB_BOOTSTRAP_WORKSPACE one, else
// "Demo". A workspace that does not exist is created, with the HUB_BOOTSTRAP_EMAIL/PASSWORD
// admin when set, else admin@<workspace-slug>.example.com and a generated password (printed).
// Users for the roles the workspace lacks are added (printed with their password).
// A workspace that already has services is left alone unless --force.
// Embedded mode: stop the hub first — PGlite's data directory takes one process at a time.

const Args = z.object({
  workspace: z.string().trim().min(1, '--workspace needs a workspace id or name').optional(),
  password: z.string().min(8, '--password must have at least 8 characters').optional(),
  force: z.boolean().optional(),
});

const slug = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-') || 'demo';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { workspace: { type: 'string' }, password: { type: 'string' }, force: { type: 'boolean' } },
    strict: true,
  });
  const args = Args.safeParse(values);
  if (!args.success) {
    process.stderr.write(`seed: ${args.error.issues[0]?.message}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  const rt = await createRuntime(config);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const db = rt.database.db;
    const wanted = args.data.workspace ?? config.bootstrap?.workspace ?? 'Demo';
    const isId = z.uuid().safeParse(wanted).success;
    let ws = isId ? await findWorkspaceById(db, wanted) : (await findWorkspacesByName(db, wanted))[0];
    const password = args.data.password ?? randomBytes(9).toString('base64url');
    if (!ws) {
      if (isId) throw new Error(`no workspace with id ${wanted}`);
      const admin =
        config.bootstrap && config.bootstrap.workspace === wanted
          ? { email: config.bootstrap.email, password: config.bootstrap.password }
          : { email: `admin@${slug(wanted)}.example.com`, password };
      const created = await createWorkspaceWithAdmin(db, {
        workspaceName: wanted,
        name: 'Admin',
        email: admin.email,
        password: admin.password,
      });
      ws = { id: created.workspaceId, name: wanted };
      out(
        `created workspace "${wanted}" (${ws.id}) with admin ${admin.email}${admin.password === password ? ` / ${password}` : ''}`,
      );
    }
    const summary = await seedWorkspace(db, { workspaceId: ws.id, password, force: args.data.force ?? false });
    if (summary.skipped) {
      out(`workspace "${ws.name}" (${ws.id}) already has services: nothing seeded (use --force to add another batch)`);
      return;
    }
    out(`seeded workspace "${ws.name}" (${ws.id}):`);
    for (const [k, v] of Object.entries(summary)) if (typeof v === 'number') out(`  ${k}: ${v}`);
    const created = summary.users.filter((u) => u.created);
    if (created.length) {
      out(`demo users (password ${password}):`);
      for (const u of created) out(`  ${u.role.padEnd(10)} ${u.email}`);
    }
    if (summary.conversations === 0)
      out('no channel in the workspace: leads and consultations were created without conversations');
  } finally {
    await rt.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`seed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
