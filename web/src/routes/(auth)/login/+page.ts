import { redirect } from '@sveltejs/kit';
import { api } from '$lib/api';
import { session } from '$lib/stores/session.svelte';

export const load = async ({ url }) => {
  if (session.isAuthenticated && !session.expired) redirect(307, url.searchParams.get('next') ?? '/inbox');
  // First run: nobody can sign in before the workspace exists.
  const status = await api.setup.status().catch(() => ({ needed: false }));
  if (status.needed) redirect(307, '/setup');
  return {};
};
