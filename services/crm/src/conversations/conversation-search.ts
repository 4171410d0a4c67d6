// Inbox search: one text typed by an agent, matched against the contact's name, phone and the
// conversation's message text. The database has pg_trgm but not unaccent, so accents are
// handled in the pattern: each letter becomes a class of its accented forms ("jose" and
// "José" both give `j[oòóôõöOÒÓÔÕÖ]s[eèéêëEÈÉÊË]`). pg_trgm indexes regex matches too, so the
// contacts' name index still serves it.

const variants: Record<string, string> = {
  a: 'aàáâãäåAÀÁÂÃÄÅ',
  e: 'eèéêëEÈÉÊË',
  i: 'iìíîïIÌÍÎÏ',
  o: 'oòóôõöOÒÓÔÕÖ',
  u: 'uùúûüUÙÚÛÜ',
  n: 'nñNÑ',
  c: 'cçCÇ',
  y: 'yýÿYÝŸ',
};

/** Characters with a meaning in PostgreSQL's regular expressions (ARE). */
const special = /[\\^$.|?*+()[\]{}]/;

export interface ConversationSearch {
  /** A case- and accent-insensitive PostgreSQL regex (for `~*`) matching the text anywhere. */
  pattern: string;
  /** The digits of the text when it looks like part of a phone number, else null. */
  digits: string | null;
}

export function conversationSearch(text: string): ConversationSearch {
  const plain = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  let pattern = '';
  for (const ch of plain) {
    const v = variants[ch];
    if (v) pattern += `[${v}]`;
    else if (special.test(ch)) pattern += `\\${ch}`;
    else pattern += ch;
  }
  const digits = text.replace(/\D/g, '');
  return { pattern, digits: digits.length >= 3 ? digits : null };
}
