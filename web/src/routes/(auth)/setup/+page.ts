import { redirect } from '@sveltejs/kit';
import { api } from '$lib/api';

export const load = async () => {
  const status = await api.setup.status();
  if (!status.needed) redirect(307, '/login');
  return {};
};
