import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum ReferralsErrorCode {
  CodeNotFound = 'REFERRAL_CODE_NOT_FOUND',
  InviteeLimitReached = 'REFERRAL_INVITEE_LIMIT_REACHED',
}

export class ReferralsException extends DomainException {
  static codeNotFound = () =>
    new ReferralsException(ReferralsErrorCode.CodeNotFound, 'invite code not found', ErrorKind.Invalid);
  static inviteeLimitReached = () =>
    new ReferralsException(
      ReferralsErrorCode.InviteeLimitReached,
      'this invite code has reached its limit of invitees',
      ErrorKind.Invalid,
    );
}
