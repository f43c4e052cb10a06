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

/**
 * A date input's "YYYY-MM-DD" as the ISO-8601 UTC time of that day's local
 * midnight — or, with `endOfDay`, of the next day's midnight (an exclusive
 * end, so "to 2026-11-23" includes the whole 23rd). undefined when blank or
 * not a date.
 */
export function localDayBoundary(day: string, endOfDay = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return undefined;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (endOfDay ? 1 : 0));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The `count` UTC days ending with the day of `now`, oldest first, as
 * "YYYY-MM-DD" (the days the admin stats group by).
 */
export function lastUtcDays(count: number, now: Date = new Date()): string[] {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/**
 * A datetime-local input's "YYYY-MM-DDTHH:mm[:ss]" (the user's local time) as an
 * ISO-8601 UTC time; undefined when blank or not such a value.
 */
export function localDateTimeToIso(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(y, mo - 1, d, h, mi, s);
  // Rejects a day Date would roll over ("2026-02-30T10:00" → March 2).
  if (Number.isNaN(date.getTime()) || date.getMonth() !== mo - 1 || date.getDate() !== d) return undefined;
  return date.toISOString();
}
