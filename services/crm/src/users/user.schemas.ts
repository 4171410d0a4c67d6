import { z } from 'zod';
import { roles } from '@hub/shared/auth';

export const RoleSchema = z.enum(roles);

export const UserRecordSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    active: z.boolean(),
    lastLoginAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
