import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { assigneeVisibility, visibleWhere, type AssigneeVisibility, type AuthContext } from '../auth';
import type { DB } from '../db/schema';

/**
 * Which conversations a caller may see — the ONE place that decides it. Every query that
 * returns conversations, their messages or their media goes through this filter, so the
 * workspace scope and the role rules (shared/src/auth/visibility.ts: an agent sees its own
 * and, per workspace setting, unassigned conversations) cannot be forgotten by a new route.
 *
 * `vis` is the caller's visibility with the workspace's settings applied
 * (`loadAssigneeVisibility`); without it the default settings apply.
 */
export function conversationVisibility(
  auth: Pick<AuthContext, 'workspaceId' | 'userId' | 'role'>,
  vis?: AssigneeVisibility,
) {
  const v = vis ?? assigneeVisibility(auth);
  return (eb: ExpressionBuilder<DB, 'conversations'>): Expression<SqlBool> =>
    eb.and([eb('conversations.workspace_id', '=', auth.workspaceId), visibleWhere(eb, 'conversations.assignee_id', v)]);
}
