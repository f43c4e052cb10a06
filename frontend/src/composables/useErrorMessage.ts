import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http';

/**
 * Turns a failed call into a message for the user: a known error `code`
 * gets the translated text; otherwise the server's own message is shown.
 */
export function useErrorMessage(): (err: unknown) => string {
  const { t, te } = useI18n();
  return (err: unknown): string => {
    if (err instanceof ApiError) {
      if (err.code === ApiError.NETWORK) return t('errors.network');
      if (err.code && te(`errors.codes.${err.code}`)) return t(`errors.codes.${err.code}`);
      if (err.messages.length > 0) return err.messages.join('\n');
      return t('errors.generic');
    }
    return t('errors.generic');
  };
}
