import { computed, onScopeDispose, shallowRef, watch } from 'vue';
import { getOffers } from '../api/payment';
import type { Offers, RechargePackage } from '../api/types';
import { compareDecimal, decimalSign } from '../utils/money';
import { useLatestLoad } from './useLatestLoad';

/** How long typing must pause before the offer for the amount is asked for. */
export const OFFER_DEBOUNCE_MS = 300;

/** Whether an answer is about this amount ("100" and "100.00" are the same amount). */
function isFor(offers: Offers, amountCny: string): boolean {
  try {
    return compareDecimal(offers.amountCny, amountCny) === 0;
  } catch {
    return false;
  }
}

/**
 * The bonuses of each package, asked for once per package amount when the
 * packages are known (again when they change): `bonusOf(amount)` is the total
 * bonus in USD, or null while unknown, on error, or when no campaign applies.
 */
export function usePackageOffers(packages: () => readonly RechargePackage[] | undefined) {
  const offers = shallowRef<ReadonlyMap<string, Offers>>(new Map());
  let seq = 0;

  async function load(amounts: string[]): Promise<void> {
    const mine = ++seq;
    const answers = await Promise.allSettled(amounts.map((a) => getOffers(a)));
    if (mine !== seq) return; // the packages changed meanwhile: a newer load fills the map
    const next = new Map<string, Offers>();
    answers.forEach((answer, i) => {
      if (answer.status === 'fulfilled') next.set(amounts[i]!, answer.value);
    });
    offers.value = next;
  }

  watch(
    () => (packages() ?? []).map((p) => p.amountCny).join(','),
    (joined) => {
      offers.value = new Map();
      if (joined !== '') void load(joined.split(','));
    },
    { immediate: true },
  );

  function offerOf(amountCny: string): Offers | null {
    return offers.value.get(amountCny) ?? null;
  }

  function bonusOf(amountCny: string): string | null {
    const offer = offerOf(amountCny);
    return offer && offer.campaigns.length > 0 && decimalSign(offer.bonusUsd) > 0 ? offer.bonusUsd : null;
  }

  return { offers, offerOf, bonusOf };
}

/**
 * The offer for the amount being typed or picked: asked for once typing has
 * paused for OFFER_DEBOUNCE_MS (no request for an empty or invalid amount:
 * `amount()` answers null then), only the newest answer kept. `offer` is the
 * answer for the current amount only — null while it is on its way, on error,
 * and for no amount. `known(amount)` may answer one already at hand (a
 * package's offers): shown at once, without a request. A failed ask shows
 * nothing (an older amount's answer is never shown for this one).
 */
export function useOfferPreview(amount: () => string | null, known: (amountCny: string) => Offers | null = () => null) {
  const latest = shallowRef<Offers | null>(null);
  const { run, invalidate } = useLatestLoad();
  let timer: ReturnType<typeof setTimeout> | undefined;

  function stop(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  watch(
    amount,
    (a) => {
      stop();
      invalidate();
      if (a === null) return;
      const atHand = known(a);
      if (atHand) {
        latest.value = atHand;
        return;
      }
      timer = setTimeout(() => {
        timer = undefined;
        void run(
          () => getOffers(a),
          (answer) => {
            latest.value = answer;
          },
        );
      }, OFFER_DEBOUNCE_MS);
    },
    { immediate: true },
  );

  onScopeDispose(stop);

  const offer = computed<Offers | null>(() => {
    const a = amount();
    if (a === null) return null;
    const o = latest.value;
    return o !== null && isFor(o, a) ? o : known(a);
  });

  return { offer };
}
