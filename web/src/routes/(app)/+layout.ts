import { redirect } from '@sveltejs/kit';
import { session } from '$lib/stores/session.svelte';

export const load = ({ url }) => {
  if (!session.isAuthenticated) {
    const next = url.pathname + url.search;
    redirect(307, next === '/inbox' ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  }
  return {};
};
