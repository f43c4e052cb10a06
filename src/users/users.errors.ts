import { DomainException, ErrorKind } from '../common/errors/domain.exception';

export enum UsersErrorCode {
  EmailTaken = 'USER_EMAIL_TAKEN',
  UsernameTaken = 'USER_USERNAME_TAKEN',
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  Disabled = 'AUTH_USER_DISABLED',
  TokenInvalid = 'AUTH_TOKEN_INVALID',
  NotFound = 'USER_NOT_FOUND',
  Forbidden = 'AUTH_FORBIDDEN',
  TooManyLoginFailures = 'AUTH_TOO_MANY_FAILURES',
  AccountClosed = 'USER_ACCOUNT_CLOSED',
  AdminNotClosable = 'USER_ADMIN_NOT_CLOSABLE',
  PasswordMismatch = 'USER_PASSWORD_MISMATCH',
  TooManyPasswordFailures = 'USER_TOO_MANY_PASSWORD_FAILURES',
}

export class UsersException extends DomainException {
  static emailTaken = () => new UsersException(UsersErrorCode.EmailTaken, 'email is already registered', ErrorKind.Conflict);
  static usernameTaken = () =>
    new UsersException(UsersErrorCode.UsernameTaken, 'username is already taken', ErrorKind.Conflict);
  static invalidCredentials = () =>
    new UsersException(UsersErrorCode.InvalidCredentials, 'email or password is wrong', ErrorKind.Unauthenticated);
  static disabled = () => new UsersException(UsersErrorCode.Disabled, 'this account is disabled', ErrorKind.Forbidden);
  static tokenInvalid = () =>
    new UsersException(UsersErrorCode.TokenInvalid, 'a valid bearer token is required', ErrorKind.Unauthenticated);
  static forbidden = () =>
    new UsersException(UsersErrorCode.Forbidden, 'your role is not allowed to do this', ErrorKind.Forbidden);
  static tooManyLoginFailures = (retryAfterSeconds: number) =>
    new UsersException(
      UsersErrorCode.TooManyLoginFailures,
      `too many failed logins for this account; try again in ${retryAfterSeconds} s`,
      ErrorKind.RateLimited,
      retryAfterSeconds,
    );
  static accountClosed = (id: string) =>
    new UsersException(UsersErrorCode.AccountClosed, `account ${id} is closed`, ErrorKind.Conflict);
  static adminNotClosable = () =>
    new UsersException(
      UsersErrorCode.AdminNotClosable,
      'an admin account cannot be closed; remove its admin role first',
      ErrorKind.Conflict,
    );
  /** 403, not 401: the session is fine, only the confirmation failed (a 401 would sign the web app out). */
  static passwordMismatch = () =>
    new UsersException(UsersErrorCode.PasswordMismatch, 'the password is wrong', ErrorKind.Forbidden);
  static tooManyPasswordFailures = (retryAfterSeconds: number) =>
    new UsersException(
      UsersErrorCode.TooManyPasswordFailures,
      `too many wrong passwords; try again in ${retryAfterSeconds} s`,
      ErrorKind.RateLimited,
      retryAfterSeconds,
    );
  static notFound = (id: string) => new UsersException(UsersErrorCode.NotFound, `user ${id} not found`, ErrorKind.NotFound);
}
