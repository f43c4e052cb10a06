import { computed, ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { useRouter } from 'vue-router';
import { cancelOrder, createOrder, getPaymentConfig } from '../api/payment';
import { ApiError, newIdempotencyKey } from '../api/http';
import type { CreateOrderRequest, Order, OrderDisplay, PaymentConfig, PaymentMethod, ProviderName } from '../api/types';
import { addDecimal, bonusUsd, cnyToUsd, compareDecimal, isCnyInput, normalizeCny } from '../utils/money';
import { rememberQrOrder } from '../utils/paymentDisplay';
import { useErrorMessage } from './useErrorMessage';
import { useOrderPolling } from './useOrderPolling';

/** How often the QR panel asks whether the order was paid. */
export const QR_POLL_INTERVAL_MS = 3000;
/** Keep asking this long after the order's expiry (a late gateway callback still credits). */
export const QR_POLL_GRACE_MS = 60_000;

/**
 * An order request that got no answer may still have been carried out: resending
 * it with the same Idempotency-Key cannot create a second order. True for no
 * answer at all, and for the server saying the first request with the key is
 * still running; any other answer ends the attempt (errors release the key).
 */
export function mayResendWithSameKey(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || err.code === 'IDEMPOTENCY_KEY_IN_USE');
}

/** Sends the browser to the gateway's page (a full navigation: the gateway is another site). */
export function goToPaymentPage(url: string): void {
  window.location.assign(url);
}

export interface RechargePreview {
  /** amountCny × discountRate ÷ exchangeRate, half-up to 8 decimals. */
  usd: string;
  /** usd × percent / 100, half-up to 8; null when no promotion applies. */
  bonus: string | null;
  percent: number | null;
  total: string;
}

/**
 * Everything the recharge page does: loads the payment config, holds the
 * chosen amount / provider / method, validates the amount as the server will
 * (within the configured limits, at most 2 decimals), previews the USD and
 * bonus with string decimal math, creates the order and then either leaves
 * for the gateway or shows a QR code and polls.
 */
export function useRecharge() {
  const { t } = useI18n();
  const router = useRouter();
  // A 400 about the amount names the limit: show the server's words for it.
  const describeError = useErrorMessage({ preferServerMessageFor: ['PAYMENT_AMOUNT_OUT_OF_RANGE', 'VALIDATION_FAILED'] });

  const config = ref<PaymentConfig | null>(null);
  const loading = ref(false);
  const loadError = ref<string | null>(null);

  const selectedPackage = ref<string | null>(null);
  const customAmount = ref('');
  const provider = ref<ProviderName | null>(null);
  const method = ref<PaymentMethod | null>(null);

  const submitting = ref(false);
  const submitError = ref<string | null>(null);
  const redirecting = ref(false);
  const qrOrder = ref<Order | null>(null);
  /**
   * The Idempotency-Key of the attempt under way: kept only after a request
   * that got no answer, so resending the same order reuses it; a changed
   * amount, provider, method or display is a new attempt with a new key.
   */
  let attempt: { key: string; body: string } | null = null;

  /** The amount in play: a typed amount wins over the chosen package. */
  const amount = computed(() => {
    const typed = customAmount.value.trim();
    return typed !== '' ? typed : (selectedPackage.value ?? '');
  });

  const amountError = computed<string | null>(() => {
    const c = config.value;
    const a = amount.value;
    if (a === '') return t('recharge.validation.required');
    if (!isCnyInput(a)) return t('recharge.validation.format');
    if (c && (compareDecimal(a, c.minAmountCny) < 0 || compareDecimal(a, c.maxAmountCny) > 0)) {
      return t('recharge.validation.range', { min: c.minAmountCny, max: c.maxAmountCny });
    }
    return null;
  });

  /** The amount as sent to the API ("20" → "20.00"), or null while invalid. */
  const validAmount = computed(() => (amountError.value === null ? normalizeCny(amount.value) : null));

  const methods = computed<PaymentMethod[]>(
    () => config.value?.providers.find((p) => p.name === provider.value)?.methods ?? [],
  );

  const preview = computed<RechargePreview | null>(() => {
    const c = config.value;
    const a = validAmount.value;
    if (!c || a === null) return null;
    try {
      const usd = cnyToUsd(a, c.discountRate, c.exchangeRate);
      const promo = c.promotion;
      const bonus = promo && compareDecimal(a, promo.minAmountCny) >= 0 ? bonusUsd(usd, promo.percent) : null;
      return { usd, bonus, percent: bonus !== null && promo ? promo.percent : null, total: bonus ? addDecimal(usd, bonus) : usd };
    } catch {
      return null; // a rate the helpers cannot read: no preview rather than a wrong one
    }
  });

  /** Typed amounts are checked as the user types; a package is always valid. */
  const error = computed(() => submitError.value ?? (customAmount.value.trim() !== '' ? amountError.value : null));

  /** Zpay can answer with QR content instead of a page (display "qrcode"). */
  const canShowQr = computed(() => provider.value === 'zpay');

  function selectPackage(amountCny: string): void {
    selectedPackage.value = amountCny;
    customAmount.value = '';
    submitError.value = null;
  }

  function setCustomAmount(value: string): void {
    customAmount.value = value;
    if (value.trim() !== '') selectedPackage.value = null;
    submitError.value = null;
  }

  function selectProvider(name: ProviderName): void {
    provider.value = name;
    const offered = config.value?.providers.find((p) => p.name === name)?.methods ?? [];
    if (method.value === null || !offered.includes(method.value)) method.value = offered[0] ?? null;
    submitError.value = null;
  }

  function selectMethod(name: PaymentMethod): void {
    method.value = name;
    submitError.value = null;
  }

  /** Fetches the config; keeps the user's choices when they are still offered. */
  async function load(): Promise<void> {
    loading.value = true;
    loadError.value = null;
    try {
      const c = await getPaymentConfig();
      config.value = c;
      if (selectedPackage.value === null && customAmount.value === '') {
        selectedPackage.value = (c.packages.find((p) => p.popular) ?? c.packages[0])?.amountCny ?? null;
      }
      const current = c.providers.find((p) => p.name === provider.value) ?? c.providers[0];
      if (current) selectProvider(current.name);
      else {
        provider.value = null;
        method.value = null;
      }
    } catch (err) {
      loadError.value = describeError(err);
    } finally {
      loading.value = false;
    }
  }

  // QR code: poll until paid, count down to expiry.
  const polling = useOrderPolling({
    intervalMs: QR_POLL_INTERVAL_MS,
    onSettled: (o) => {
      if (o.status === 'paid') void router.push({ name: 'payment-result', query: { out_trade_no: o.orderNo } });
    },
  });
  const qrStatus = computed(() => polling.order.value?.status ?? qrOrder.value?.status ?? null);

  async function submit(display: OrderDisplay = 'redirect'): Promise<void> {
    if (submitting.value || redirecting.value) return;
    submitError.value = null;
    if (amountError.value !== null) {
      submitError.value = amountError.value;
      return;
    }
    if (provider.value === null || method.value === null) {
      submitError.value = t('recharge.validation.noMethod');
      return;
    }
    submitting.value = true;
    const body: CreateOrderRequest = {
      amountCny: normalizeCny(amount.value),
      provider: provider.value,
      method: method.value,
      display,
    };
    const fingerprint = JSON.stringify(body);
    if (attempt === null || attempt.body !== fingerprint) attempt = { key: newIdempotencyKey(), body: fingerprint };
    try {
      const order = await createOrder(body, attempt.key);
      attempt = null;
      if (!order.paymentUrl) {
        submitError.value = t('errors.codes.PAYMENT_GATEWAY_FAILED');
        return;
      }
      if (display === 'qrcode') {
        rememberQrOrder(order.orderNo);
        qrOrder.value = order;
        // Give up a minute after expiry (a late callback still credits; the
        // result page shows it). No usable expiry: poll until the page closes.
        const untilExpiry = Date.parse(order.expireAt) - Date.now();
        polling.start(order.orderNo, Number.isFinite(untilExpiry) ? Math.max(0, untilExpiry) + QR_POLL_GRACE_MS : undefined);
      } else {
        redirecting.value = true;
        goToPaymentPage(order.paymentUrl);
      }
    } catch (err) {
      if (!mayResendWithSameKey(err)) attempt = null;
      submitError.value = describeError(err);
    } finally {
      submitting.value = false;
    }
  }

  /**
   * Leaves the QR panel; cancels the order when it is still pending. The
   * gateway may report the payment while cancelling: then the order answers
   * paid and the user is shown the result instead of the form.
   */
  async function cancelQr(): Promise<void> {
    const o = qrOrder.value;
    polling.stop();
    qrOrder.value = null;
    if (o && qrStatus.value !== 'paid') {
      try {
        const answer = await cancelOrder(o.orderNo);
        if (answer.status === 'paid') void router.push({ name: 'payment-result', query: { out_trade_no: answer.orderNo } });
      } catch {
        // no longer pending (paid, expired, cancelled elsewhere): nothing to cancel
      }
    }
  }

  function closeQr(): void {
    polling.stop();
    qrOrder.value = null;
  }

  return {
    config,
    loading,
    loadError,
    selectedPackage,
    customAmount,
    provider,
    method,
    methods,
    amount,
    validAmount,
    preview,
    error,
    canShowQr,
    submitting,
    redirecting,
    qrOrder,
    qrStatus,
    load,
    selectPackage,
    setCustomAmount,
    selectProvider,
    selectMethod,
    submit,
    cancelQr,
    closeQr,
  };
}
