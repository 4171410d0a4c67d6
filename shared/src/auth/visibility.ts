import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DbOrTrx } from '../db';
import type { AuthContext, Role } from './index';

// Row-level visibility of assigned work (conversations, leads), as data, applied by this one
// module everywhere a row can surface: lists, single reads, search, notifications and the
// realtime fan-out. A row an agent may not see must not leak through any of them (not even a
// conversation's last message in a socket event), so every path asks the same question here.

/** Per role: every row of the workspace, or only its own (plus unassigned, per setting). */
export const assignedRowScope = {
  admin: 'all',
  supervisor: 'all',
  agent: 'own',
  marketer: 'all',
  manager: 'all',
} as const satisfies Record<Role, 'all' | 'own'>;

/** The workspace settings that shape visibility (stored in workspaces.settings). */
export interface VisibilitySettings {
  /** Agents also see unassigned rows (the shared queue). Default true. */
  agentsSeeUnassigned: boolean;
}

export const defaultVisibilitySettings: VisibilitySettings = { agentsSeeUnassigned: true };

/** What one caller may see, derived once per request / socket. */
export type AssigneeVisibility = { kind: 'all' } | { kind: 'own'; userId: string; includeUnassigned: boolean };

/** Pure: who is asking + the workspace's settings → what they may see. */
export function assigneeVisibility(
  auth: Pick<AuthContext, 'userId' | 'role'>,
  settings: VisibilitySettings = defaultVisibilitySettings,
): AssigneeVisibility {
  const scope = assignedRowScope[auth.role];
  switch (scope) {
    case 'all':
      return { kind: 'all' };
    case 'own':
      return { kind: 'own', userId: auth.userId, includeUnassigned: settings.agentsSeeUnassigned };
    default: {
      const never: never = scope;
      throw new Error(`unknown scope ${String(never)}`);
    }
  }
}

/** The predicate in JS, for rows already in hand (realtime fan-out, notifications). */
export function canSeeAssigned(vis: AssigneeVisibility, assigneeId: string | null | undefined): boolean {
  switch (vis.kind) {
    case 'all':
      return true;
    case 'own':
      return assigneeId === vis.userId || (vis.includeUnassigned && (assigneeId === null || assigneeId === undefined));
  }
}

/**
 * The same predicate in SQL, for kysely queries:
 * `.where((eb) => visibleWhere(eb, 'conversations.assignee_id', vis))`.
 */
export function visibleWhere<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  assigneeColumn: string,
  vis: AssigneeVisibility,
): Expression<SqlBool> {
  switch (vis.kind) {
    case 'all':
      return sql<SqlBool>`true`;
    case 'own': {
      const col = sql.ref(assigneeColumn);
      return vis.includeUnassigned ? eb.or([eb(col, '=', vis.userId), eb(col, 'is', null)]) : eb(col, '=', vis.userId);
    }
  }
}

/** Reads the visibility settings out of workspaces.settings (jsonb), with defaults. */
export function visibilitySettingsOf(settings: unknown): VisibilitySettings {
  const s = (settings ?? {}) as { agentsSeeUnassigned?: unknown };
  return {
    agentsSeeUnassigned:
      typeof s.agentsSeeUnassigned === 'boolean'
        ? s.agentsSeeUnassigned
        : defaultVisibilitySettings.agentsSeeUnassigned,
  };
}

/** Convenience for callers that only hold the auth context (gateway, repositories). */
export async function loadAssigneeVisibility(
  db: DbOrTrx,
  auth: Pick<AuthContext, 'userId' | 'role' | 'workspaceId'>,
): Promise<AssigneeVisibility> {
  if (assignedRowScope[auth.role] === 'all') return { kind: 'all' };
  const ws = await db.selectFrom('workspaces').select('settings').where('id', '=', auth.workspaceId).executeTakeFirst();
  return assigneeVisibility(auth, visibilitySettingsOf(ws?.settings));
}
