export { i18n, t, locales, type Locale, type MessageKey } from './i18n.svelte';
