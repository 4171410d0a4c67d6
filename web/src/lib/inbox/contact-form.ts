import type { ContactInput } from '../api/endpoints';

export interface ContactForm {
  name: string;
  phone: string;
  email: string;
  category: string;
  status: string;
  country: string;
  notes: string;
}

/** The PATCH for an edited contact: empty optional fields are cleared (null); name and status are required, so an empty one is left as it was. */
export function contactPatch(f: ContactForm): ContactInput {
  return {
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    ...(f.status ? { status: f.status } : {}),
    phone: f.phone.trim() || null,
    email: f.email.trim() || null,
    category: f.category || null,
    country: f.country.trim().toUpperCase() || null,
    notes: f.notes.trim() ? f.notes : null,
  };
}
