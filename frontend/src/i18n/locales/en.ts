const en = {
  app: {
    title: 'Recharge',
    language: 'Language',
  },
  auth: {
    login: 'Sign in',
    register: 'Create account',
    loginTitle: 'Welcome back',
    registerTitle: 'Create your account',
    email: 'Email',
    username: 'Username',
    password: 'Password',
    passwordHint: '8–72 characters',
    inviteCode: 'Invite code',
    optional: 'optional',
    submitLogin: 'Sign in',
    submitRegister: 'Create account',
    submitting: 'Please wait…',
    invited: 'You were invited — the code is filled in for you.',
    validation: {
      emailRequired: 'Enter a valid email address.',
      usernameRequired: 'Choose a username.',
      passwordRequired: 'Enter your password.',
      passwordLength: 'The password must be 8–72 characters long.',
    },
  },
  home: {
    greeting: 'Hello, {name}',
    balance: 'Balance',
    currency: 'USD',
    loading: 'Loading…',
    logout: 'Sign out',
    retry: 'Retry',
  },
  errors: {
    generic: 'Something went wrong. Please try again.',
    network: 'Cannot reach the server. Check your connection and try again.',
    requestId: 'Request ID: {id}',
    codes: {
      AUTH_INVALID_CREDENTIALS: 'Wrong email or password.',
      AUTH_USER_DISABLED: 'This account is disabled.',
      AUTH_TOKEN_INVALID: 'Your session has ended. Please sign in again.',
      UNAUTHENTICATED: 'Please sign in first.',
      USER_EMAIL_TAKEN: 'This email is already registered.',
      USER_USERNAME_TAKEN: 'This username is already taken.',
      REFERRAL_CODE_NOT_FOUND: 'This invite code does not exist. Check it for typos.',
      REFERRAL_INVITEE_LIMIT_REACHED: 'This invite code cannot be used any more.',
      RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
      INTERNAL: 'Something went wrong on our side. Please try again.',
    },
  },
};

export default en;

/** Every locale has exactly this shape (checked by tsc and by the parity test). */
export type MessageSchema = typeof en;
