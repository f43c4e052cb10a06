import { createI18n } from 'vue-i18n';
import en, { type MessageSchema } from './locales/en';
import zh from './locales/zh';

export const SUPPORTED_LOCALES = ['en', 'zh'] as const;
export type AppLocale = (typeof SUPPORTED_LOCALES)[number];

export const LOCALE_STORAGE_KEY = 'recharge.locale';

/** Names shown in the language selector, each in its own language. */
export const LOCALE_NAMES: Record<AppLocale, string> = { en: 'English', zh: '中文' };

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The remembered choice, else the browser's language (zh* → zh), else en. */
export function detectLocale(
  stored: string | null = safeGetStored(),
  languages: readonly string[] = typeof navigator === 'undefined'
    ? []
    : navigator.languages?.length
      ? navigator.languages
      : [navigator.language],
): AppLocale {
  if (isAppLocale(stored)) return stored;
  const first = languages.find((l) => typeof l === 'string' && l !== '');
  return first?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function safeGetStored(): string | null {
  try {
    return localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function createAppI18n(locale: AppLocale = detectLocale()) {
  return createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, zh },
  });
}

/** Remembers the user's choice for the next visit. */
export function rememberLocale(locale: AppLocale): void {
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    /* storage disabled */
  }
}

/** BCP 47 tag for <html lang>. */
export function htmlLang(locale: AppLocale): string {
  return locale === 'zh' ? 'zh-CN' : 'en';
}
