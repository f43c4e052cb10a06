/**
 * A read that calls made while it is under way share. prom-client starts
 * every gauge's collect() of a scrape at once, so gauges fed by one database
 * query make that query once per scrape.
 */
export function sharedWhileRunning<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () =>
    (running ??= read().finally(() => {
      running = null;
    }));
}
