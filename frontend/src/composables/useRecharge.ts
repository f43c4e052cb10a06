import { computed, ref, shallowRef } from 'vue';
import { useI18n } from 'vue-i18n';
import { cancelOrder, createOrder, getPaymentConfig } from '../api/payment';
import { ApiError, newIdempotencyKey } from '../api/http';
import type {
  CreateOrderRequest,
  Order,
  OrderDisplay,
  PaymentConfig,
  PaymentDisplay,
  PaymentMethod,
  Provider,
  ProviderName,
} from '../api/types';
import { addDecimal, bonusUsd, cnyToUsd, compareDecimal, isCnyInput, normalizeCny } from '../utils/money';
import { rememberQrOrder } from '../utils/paymentDisplay';
import { useErrorMessage } from './useErrorMessage';
import { useOrderPolling } from './useOrderPolling';
import { providerLabel } from './useProviders';
import { FOUND_RESULT_DELAY_MS, useResultNavigation } from './useResultNavigation';

/** A payment shown on the page rather than on the gateway's site. */
export type PanelDisplay = Exclude<PaymentDisplay, 'redirect'>;

/** How often the QR and address panels ask whether the order was paid. */
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
 * Whether the created order can be shown as `display`: a page or QR code
 * needs paymentUrl, an address payment needs the address and the amount.
 */
export function orderCanBeShown(order: Order, display: PaymentDisplay): boolean {
  if (display === 'address') return !!order.payAddress && !!order.payAmount;
  return !!order.paymentUrl;
}

/**
 * Everything the recharge page does: loads the payment config, holds the
 * chosen amount / provider / method, validates the amount as the server will
 * (within the configured limits, at most 2 decimals), previews the USD and
 * bonus with string decimal math, creates the order and then, as the chosen
 * gateway's `display` says, leaves for the gateway, shows a QR code, or shows
 * the address and exact amount to send, and polls.
 */
export function useRecharge() {
  const { t, locale } = useI18n();
  const result = useResultNavigation();
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
  /** The order whose payment is shown on the page (QR code or address), and how. */
  const payOrder = shallowRef<Order | null>(null);
  const payDisplay = ref<PanelDisplay>('qrcode');
  /** The gateway of payOrder (its label names the network of an address payment). */
  const payProvider = shallowRef<Provider | null>(null);
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

  /** The chosen gateway as the API describes it. */
  const chosen = computed<Provider | null>(() => config.value?.providers.find((p) => p.name === provider.value) ?? null);
  const methods = computed<PaymentMethod[]>(() => chosen.value?.methods ?? []);

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

  /** A gateway that sends the payer to a page may also answer with QR content (display "qrcode"). */
  const canShowQr = computed(() => chosen.value?.offersQrCode === true && chosen.value.display === 'redirect');

  /** A gateway's name on its button, in the current language. */
  const labelOf = (p: Provider): string => providerLabel(p, locale.value);

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

  // QR code or address: poll until paid, count down to expiry. Once paid, a
  // QR payment goes straight to the result page; an address payment first
  // says "we found your payment" for a moment.
  const polling = useOrderPolling({
    intervalMs: QR_POLL_INTERVAL_MS,
    onSettled: (o) => {
      if (o.status === 'paid') result.open(o.orderNo, payDisplay.value === 'address' ? FOUND_RESULT_DELAY_MS : 0);
    },
  });
  /** The order as last polled (its status, and what was credited once paid). */
  const payLatest = computed<Order | null>(() => {
    const polled = polling.order.value;
    const shown = payOrder.value;
    return shown && polled?.orderNo === shown.orderNo ? polled : shown;
  });
  const payStatus = computed(() => payLatest.value?.status ?? null);
  /** The network an address payment is sent on: the gateway's label. */
  const payNetwork = computed(() => (payProvider.value ? labelOf(payProvider.value) : (payOrder.value?.provider ?? '')));

  /**
   * Creates the order. Without `requested` the chosen gateway's display
   * decides what follows; `requested` "qrcode" asks a gateway that offers it
   * for QR content instead of a page.
   */
  async function submit(requested?: OrderDisplay): Promise<void> {
    if (submitting.value || redirecting.value) return;
    submitError.value = null;
    if (amountError.value !== null) {
      submitError.value = amountError.value;
      return;
    }
    const gateway = chosen.value;
    if (gateway === null || method.value === null) {
      submitError.value = t('recharge.validation.noMethod');
      return;
    }
    submitting.value = true;
    const display: PaymentDisplay = requested === 'qrcode' ? 'qrcode' : gateway.display;
    const body: CreateOrderRequest = {
      amountCny: normalizeCny(amount.value),
      provider: gateway.name,
      method: method.value,
      // An address payment has nothing to ask for: the gateway's own way.
      ...(display === 'address' ? {} : { display }),
    };
    const fingerprint = JSON.stringify(body);
    if (attempt === null || attempt.body !== fingerprint) attempt = { key: newIdempotencyKey(), body: fingerprint };
    try {
      const order = await createOrder(body, attempt.key);
      attempt = null;
      if (!orderCanBeShown(order, display)) {
        submitError.value = t('errors.codes.PAYMENT_GATEWAY_FAILED');
        return;
      }
      if (display === 'redirect') {
        redirecting.value = true;
        goToPaymentPage(order.paymentUrl ?? '');
        return;
      }
      if (display === 'qrcode') rememberQrOrder(order.orderNo);
      payDisplay.value = display;
      payProvider.value = gateway;
      payOrder.value = order;
      // Give up a minute after expiry (a late gateway callback still credits; the
      // result page shows it). No usable expiry: poll until the page closes.
      const untilExpiry = Date.parse(order.expireAt) - Date.now();
      polling.start(order.orderNo, Number.isFinite(untilExpiry) ? Math.max(0, untilExpiry) + QR_POLL_GRACE_MS : undefined);
    } catch (err) {
      if (!mayResendWithSameKey(err)) attempt = null;
      submitError.value = describeError(err);
    } finally {
      submitting.value = false;
    }
  }

  /**
   * Leaves the payment panel; cancels the order when it is still pending. The
   * gateway may report the payment while cancelling: then the order answers
   * paid and the user is shown the result instead of the form.
   */
  async function cancelPayment(): Promise<void> {
    const o = payOrder.value;
    const status = payStatus.value;
    closePayment();
    if (o && status !== 'paid') {
      try {
        const answer = await cancelOrder(o.orderNo);
        if (answer.status === 'paid') result.open(answer.orderNo);
      } catch {
        // no longer pending (paid, expired, cancelled elsewhere): nothing to cancel
      }
    }
  }

  function closePayment(): void {
    polling.stop();
    result.cancel();
    payOrder.value = null;
    payProvider.value = null;
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
    labelOf,
    submitting,
    redirecting,
    payOrder,
    payLatest,
    payDisplay,
    payStatus,
    payNetwork,
    load,
    selectPackage,
    setCustomAmount,
    selectProvider,
    selectMethod,
    submit,
    cancelPayment,
    closePayment,
  };
}
