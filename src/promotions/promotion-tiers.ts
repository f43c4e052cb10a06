/** One step of the new-user bonus: orders created before `hours` after registration earn `percent`. */
export interface TierRule {
  hours: number;
  percent: number;
}

/** The tier an order falls into: its number (from 0, the first tier; stored as used_tier), percent, and when it ends. */
export interface TierAt {
  tier: number;
  percent: number;
  endsAt: Date;
}

const HOUR_MS = 3_600_000;

/**
 * The tier for something happening at `at`, for a promotion activated at
 * `activatedAt`. Tier i covers [previous tier's hours, hours_i): an order at
 * exactly 24 h is in the second tier, and at the last tier's hours there is
 * none. A time before activation (clock skew) counts as the first tier.
 */
export function tierAt(tiers: readonly TierRule[], activatedAt: Date, at: Date): TierAt | null {
  const elapsedMs = at.getTime() - activatedAt.getTime();
  for (let i = 0; i < tiers.length; i++) {
    const endsAtMs = activatedAt.getTime() + tiers[i].hours * HOUR_MS;
    if (elapsedMs < tiers[i].hours * HOUR_MS) return { tier: i, percent: tiers[i].percent, endsAt: new Date(endsAtMs) };
  }
  return null;
}
