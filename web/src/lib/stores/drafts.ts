import { browser } from '$app/environment';

// Half-written replies, one per conversation, kept in localStorage: they survive a reload, a
// session expiry and switching conversations.

const key = (conversationId: string) => `hub.draft.${conversationId}`;

export const drafts = {
  get(conversationId: string): string {
    return browser ? (localStorage.getItem(key(conversationId)) ?? '') : '';
  },
  set(conversationId: string, text: string): void {
    if (!browser) return;
    if (text) localStorage.setItem(key(conversationId), text);
    else localStorage.removeItem(key(conversationId));
  },
};
