// The busy agent's keys. Ignored while typing in a field, except Escape.

export type ShortcutAction = 'next' | 'prev' | 'reply' | 'resolve' | 'search' | 'help' | 'escape';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** True when focus is in an input, textarea, select or contenteditable. */
  inField: boolean;
}

export const shortcutList: { keys: string; action: ShortcutAction }[] = [
  { keys: 'j', action: 'next' },
  { keys: 'k', action: 'prev' },
  { keys: 'r', action: 'reply' },
  { keys: 'e', action: 'resolve' },
  { keys: '/', action: 'search' },
  { keys: '?', action: 'help' },
  { keys: 'Esc', action: 'escape' },
];

export function shortcutFor(e: KeyLike): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === 'Escape') return 'escape';
  if (e.inField) return null;
  switch (e.key) {
    case 'j':
      return 'next';
    case 'k':
      return 'prev';
    case 'r':
      return 'reply';
    case 'e':
      return 'resolve';
    case '/':
      return 'search';
    case '?':
      return 'help';
    default:
      return null;
  }
}
