/** What admins set: a campaign runs in its window unless paused or ended. */
export type CampaignState = 'running' | 'paused' | 'ended';

/** What a campaign is now, by its state and the clock. */
export type CampaignStatus = 'scheduled' | 'active' | 'paused' | 'ended';

export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['scheduled', 'active', 'paused', 'ended'];

/** A campaign's status at `now`: ended (by an admin or past endsAt) before paused, paused before the window. */
export function statusOf(campaign: { state: CampaignState; startsAt: Date; endsAt: Date | null }, now: Date): CampaignStatus {
  if (campaign.state === 'ended' || (campaign.endsAt !== null && campaign.endsAt <= now)) return 'ended';
  if (campaign.state === 'paused') return 'paused';
  return campaign.startsAt > now ? 'scheduled' : 'active';
}

/**
 * Every change an admin makes to a campaign's state, as named transitions:
 * the statuses each starts from and the state it sets. An ended campaign
 * stays ended; editing is a transition too (scheduled only), so "what may be
 * done now" lives in this one table.
 */
export const CAMPAIGN_TRANSITIONS = {
  edit: { from: ['scheduled'], to: null },
  pause: { from: ['scheduled', 'active'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  end: { from: ['scheduled', 'active', 'paused'], to: 'ended' },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignState | null }>;

export type CampaignTransition = keyof typeof CAMPAIGN_TRANSITIONS;

export function canTransition(transition: CampaignTransition, status: CampaignStatus): boolean {
  return (CAMPAIGN_TRANSITIONS[transition].from as readonly CampaignStatus[]).includes(status);
}
