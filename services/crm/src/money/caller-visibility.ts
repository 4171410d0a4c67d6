import { assignedRowScope, assigneeVisibility, visibilitySettingsOf, type AssigneeVisibility } from '@hub/shared/auth';
import type { CrudContext } from '../http/crud';

// What the caller may see of assigned leads, by the one rule in @hub/shared/auth/visibility
// (the same three lines as leads/lead.service.ts, which keeps its own private).
export async function callerVisibility(ctx: Pick<CrudContext, 'auth' | 'scope'>): Promise<AssigneeVisibility> {
  if (assignedRowScope[ctx.auth.role] === 'all') return { kind: 'all' };
  return assigneeVisibility(ctx.auth, visibilitySettingsOf((await ctx.scope.workspace()).settings));
}
