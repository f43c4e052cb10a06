import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http';

export interface ErrorMessageOptions {
  /** Show the server's own message(s) instead of the translation for these codes (e.g. a 400 naming the limit). */
  preferServerMessageFor?: readonly string[];
}

/**
 * Turns a failed call into a message for the user: a known error `code`
 * gets the translated text; otherwise the server's own message is shown.
 * A 429 with Retry-After says how long to wait.
 */
export function useErrorMessage(options: ErrorMessageOptions = {}): (err: unknown) => string {
  const { t, te } = useI18n();
  return (err: unknown): string => {
    if (!(err instanceof ApiError)) return t('errors.generic');
    if (err.code === ApiError.NETWORK) return t('errors.network');
    let text: string;
    if (err.code && options.preferServerMessageFor?.includes(err.code) && err.messages.length > 0) {
      text = err.messages.join('\n');
    } else if (err.code && te(`errors.codes.${err.code}`)) {
      text = t(`errors.codes.${err.code}`);
    } else if (err.messages.length > 0) {
      text = err.messages.join('\n');
    } else {
      text = t('errors.generic');
    }
    if (err.status === 429 && err.retryAfter !== undefined) {
      text += ` ${t('errors.retryAfter', { seconds: err.retryAfter })}`;
    }
    return text;
  };
}
