import { describe, expect, it } from 'vitest';
import { useLatestLoad } from '../useLatestLoad';

/** A promise settled by hand, to make answers arrive in any order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useLatestLoad', () => {
  it('applies an answer and clears loading; a failure is kept as the error, and the next call clears it', async () => {
    const latest = useLatestLoad();
    const applied: string[] = [];
    const ok = deferred<string>();
    const running = latest.run(() => ok.promise, (a) => applied.push(a));
    expect(latest.loading.value).toBe(true);
    ok.resolve('one');
    await running;
    expect(applied).toEqual(['one']);
    expect([latest.loading.value, latest.error.value]).toEqual([false, null]);

    const boom = new Error('boom');
    await latest.run(() => Promise.reject(boom), (a) => applied.push(a));
    expect(latest.error.value).toBe(boom);
    expect(latest.loading.value).toBe(false);

    const again = deferred<string>();
    const retry = latest.run(() => again.promise, (a) => applied.push(a));
    expect(latest.error.value).toBeNull(); // cleared as soon as the next call starts
    again.resolve('two');
    await retry;
    expect(applied).toEqual(['one', 'two']);
  });

  it('drops an older answer that arrives after a newer one; loading follows the newest call', async () => {
    const latest = useLatestLoad();
    const applied: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = latest.run(() => older.promise, (a) => applied.push(a));
    const second = latest.run(() => newer.promise, (a) => applied.push(a));

    newer.resolve('newer');
    await second;
    expect(applied).toEqual(['newer']);
    expect(latest.loading.value).toBe(false);

    older.resolve('older');
    await first;
    expect(applied).toEqual(['newer']);
    expect(latest.loading.value).toBe(false);
  });

  it('an older call ending first neither applies nor stops loading; an older failure is not the error', async () => {
    const latest = useLatestLoad();
    const applied: string[] = [];
    const older = deferred<string>();
    const newer = deferred<string>();
    const first = latest.run(() => older.promise, (a) => applied.push(a));
    const second = latest.run(() => newer.promise, (a) => applied.push(a));

    older.reject(new Error('stale failure'));
    await first;
    expect(applied).toEqual([]);
    expect(latest.error.value).toBeNull();
    expect(latest.loading.value).toBe(true); // the newer call is still on its way

    newer.reject(new Error('fresh failure'));
    await second;
    expect((latest.error.value as Error).message).toBe('fresh failure');
    expect(latest.loading.value).toBe(false);
  });

  it('invalidate() drops the answer on its way and stops loading', async () => {
    const latest = useLatestLoad();
    const applied: string[] = [];
    const pending = deferred<string>();
    const running = latest.run(() => pending.promise, (a) => applied.push(a));
    latest.invalidate();
    expect(latest.loading.value).toBe(false);
    pending.resolve('late');
    await running;
    expect(applied).toEqual([]);
    expect([latest.loading.value, latest.error.value]).toEqual([false, null]);
  });

  it('a failure inside apply is the error of that call', async () => {
    const latest = useLatestLoad();
    await latest.run(
      () => Promise.resolve('x'),
      () => {
        throw new Error('bad answer');
      },
    );
    expect((latest.error.value as Error).message).toBe('bad answer');
    expect(latest.loading.value).toBe(false);
  });
});
