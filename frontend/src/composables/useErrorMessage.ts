import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http';

export interface ErrorMessageOptions {
  /** Show the server's own message(s) instead of the translation for these codes (e.g. a 400 naming the limit). */
  preferServerMessageFor?: readonly string[];
}

/** The translation key of an error's `details.reason`, e.g. errors.reasons.WEBHOOK_ENDPOINT_URL_REFUSED.https_required; null without one. */
function reasonKey(err: ApiError): string | null {
  const reason = err.details?.reason;
  if (!err.code || typeof reason !== 'string' || !/^[a-z][a-z0-9_]*$/.test(reason)) return null;
  return `errors.reasons.${err.code}.${reason}`;
}

/**
 * Turns a failed call into a message for the user: an error whose
 * `details.reason` has a translation gets it (the reason says more than the
 * code); then a known error `code` gets the translated text; otherwise the
 * server's own message is shown. A 429 with Retry-After says how long to wait.
 */
export function useErrorMessage(options: ErrorMessageOptions = {}): (err: unknown) => string {
  const { t, te } = useI18n();
  return (err: unknown): string => {
    if (!(err instanceof ApiError)) return t('errors.generic');
    if (err.code === ApiError.NETWORK) return t('errors.network');
    let text: string;
    const byReason = reasonKey(err);
    if (byReason !== null && te(byReason)) {
      text = t(byReason);
    } else if (err.code && options.preferServerMessageFor?.includes(err.code) && err.messages.length > 0) {
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
