import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum CampaignsErrorCode {
  NotFound = 'CAMPAIGN_NOT_FOUND',
  NotEditable = 'CAMPAIGN_NOT_EDITABLE',
  TransitionRefused = 'CAMPAIGN_TRANSITION_REFUSED',
  SeededRules = 'CAMPAIGN_SEEDED_RULES',
  WindowInvalid = 'CAMPAIGN_WINDOW_INVALID',
}

export class CampaignsException extends DomainException {
  static notFound = (id: string) => new CampaignsException(CampaignsErrorCode.NotFound, `campaign ${id} not found`, ErrorKind.NotFound);
  static notEditable = (id: string, status: string) =>
    new CampaignsException(CampaignsErrorCode.NotEditable, `campaign ${id} is ${status}; only a scheduled campaign can be edited`, ErrorKind.Conflict);
  static transitionRefused = (id: string, transition: string, status: string) =>
    new CampaignsException(CampaignsErrorCode.TransitionRefused, `campaign ${id} is ${status}: it cannot ${transition}`, ErrorKind.Conflict);
  static seededRules = (id: string) =>
    new CampaignsException(
      CampaignsErrorCode.SeededRules,
      `campaign ${id} is the new-user bonus: its rules are the promotion configuration (promotion.tiers, promotion.min_amount)`,
      ErrorKind.Conflict,
    );
  static windowInvalid = () => new CampaignsException(CampaignsErrorCode.WindowInvalid, 'endsAt must be after startsAt', ErrorKind.Invalid);
}
