import { browser } from '$app/environment';
import { en } from './en';
import { es, type MessageKey } from './es';
import { formatDuration, interpolate, type Params } from './format';

// The one i18n layer: every visible string goes through t(). Spanish is the default.

export type Locale = 'es' | 'en';
export const locales: Locale[] = ['es', 'en'];
const catalogs: Record<Locale, Record<MessageKey, string>> = { es, en };
const STORAGE_KEY = 'hub.locale';

class I18n {
  locale = $state<Locale>('es');

  constructor() {
    if (browser) {
      const saved = localStorage.getItem(STORAGE_KEY);
      if (saved === 'es' || saved === 'en') this.locale = saved;
      document.documentElement.lang = this.locale;
    }
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
    if (browser) {
      localStorage.setItem(STORAGE_KEY, locale);
      document.documentElement.lang = locale;
    }
  }

  t = (key: MessageKey, params?: Params): string =>
    // Keys built at run time (`role.${role}`) may not exist: show the key rather than crash.
    interpolate(catalogs[this.locale][key] ?? es[key] ?? key, params);

  /** Seconds as "2 h 5 min" in the current locale. */
  duration = (seconds: number): string =>
    formatDuration(seconds, {
      s: (n) => this.t('time.seconds', { n }),
      m: (n) => this.t('time.minutes', { n }),
      hm: (h, m) => (m ? this.t('time.hoursMinutes', { h, m }) : this.t('time.hours', { n: h })),
      d: (n) => this.t('time.days', { n }),
    });

  time = (iso: string | Date): string =>
    new Date(iso).toLocaleTimeString(this.locale, { hour: '2-digit', minute: '2-digit' });

  dateTime = (iso: string | Date): string =>
    new Date(iso).toLocaleString(this.locale, { dateStyle: 'medium', timeStyle: 'short' });

  /** "14:05" today, "12 mar" otherwise: for list rows. */
  shortDate = (iso: string | Date): string => {
    const d = new Date(iso);
    const now = new Date();
    return d.toDateString() === now.toDateString()
      ? this.time(d)
      : d.toLocaleDateString(this.locale, { day: 'numeric', month: 'short' });
  };

  money = (minor: number, currency: string): string => {
    try {
      return new Intl.NumberFormat(this.locale, { style: 'currency', currency }).format(minor / 100);
    } catch {
      return `${(minor / 100).toFixed(2)} ${currency}`;
    }
  };
}

export const i18n = new I18n();
export const t = i18n.t;
export type { MessageKey };
