import { createHttpClient } from './http';

/** What the request client needs from the signed-in session. */
export interface SessionHooks {
  /** The current bearer token, read on every request; null when signed out. */
  getToken: () => string | null;
  /** An authenticated request answered 401: the session is over. */
  onUnauthorized: () => void;
}

let session: SessionHooks = { getToken: () => null, onUnauthorized: () => {} };

/**
 * Connects the client to the session (see connectApiSession in ../session.ts, called by
 * main.ts). Handed in rather than imported: the auth store and the router themselves
 * use the API modules, so importing them here would close an import cycle.
 * Until called, requests go out without a token.
 */
export function configureSession(hooks: SessionHooks): void {
  session = hooks;
}

/** The app's request client; token and 401 handling come from configureSession. */
export const http = createHttpClient({
  getToken: () => session.getToken(),
  onUnauthorized: () => session.onUnauthorized(),
});
