import type { AppLocale } from '../i18n';

/** Whole seconds as "H:MM:SS" (hours unbounded: a 72-hour tier shows "71:59:59"), or "MM:SS" under an hour. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** An ISO-8601 time in the user's locale and time zone, e.g. "Nov 23, 2026, 9:15 AM" / "2026/11/23 09:15". */
export function formatDateTime(iso: string | null | undefined, locale: AppLocale | string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const tag = locale === 'zh' ? 'zh-CN' : 'en';
  let f = formatters.get(tag);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
    formatters.set(tag, f);
  }
  return f.format(date);
}
