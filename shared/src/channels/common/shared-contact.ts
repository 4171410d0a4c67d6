// One shape for contact cards shared inside a conversation (WhatsApp `contacts` messages,
// Telegram `contact`), kept in MessageEvent.details.contacts so the inbox renders both alike.

export interface SharedContactPhone {
  phone: string;
  /** WhatsApp: the wa_id when the number is on WhatsApp. */
  waId?: string;
  type?: string;
}

export interface SharedContact {
  name: string | null;
  phones: SharedContactPhone[];
  emails: string[];
  /** Telegram: the shared person's user id, when they are a Telegram user. */
  userId?: string;
  organization?: string;
}
