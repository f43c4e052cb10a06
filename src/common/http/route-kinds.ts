/*
 * What kind of route a path is, decided here once for the whole edge
 * (browser headers, CORS, request logs, traces).
 */

/** Health probes and metric scrapes: they arrive every few seconds and say nothing about traffic. */
const PROBE_OR_SCRAPE = /^\/(metrics$|api\/health(\/|$))/;

/**
 * Server-to-server routes: called by other services and gateways, never
 * rendered by a browser: the service API, gateway callbacks, probes and
 * metrics.
 */
const SERVICE_ROUTE = /^\/(api\/v1\/|api\/payment\/webhook\/|api\/health(\/|$)|metrics$)/;

/** A URL's path without its query string (gateways put signatures and keys there). */
export function pathOf(url: string | undefined): string {
  return (url ?? '').split('?', 1)[0];
}

export function isProbeOrScrape(path: string): boolean {
  return PROBE_OR_SCRAPE.test(path);
}

export function isServiceRoute(path: string): boolean {
  return SERVICE_ROUTE.test(path);
}
