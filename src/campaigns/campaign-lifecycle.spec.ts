import { canTransition, statusOf } from './campaign-lifecycle';

const at = (iso: string) => new Date(iso);
const window = { startsAt: at('2026-12-10T00:00:00Z'), endsAt: at('2026-12-20T00:00:00Z') };

describe('campaign lifecycle', () => {
  it('reads the status from the state and the clock', () => {
    expect(statusOf({ state: 'running', ...window }, at('2026-12-09T23:59:59Z'))).toBe('scheduled');
    expect(statusOf({ state: 'running', ...window }, at('2026-12-10T00:00:00Z'))).toBe('active');
    expect(statusOf({ state: 'running', ...window }, at('2026-12-20T00:00:00Z'))).toBe('ended');
    expect(statusOf({ state: 'running', startsAt: window.startsAt, endsAt: null }, at('2036-01-01T00:00:00Z'))).toBe('active');
    expect(statusOf({ state: 'paused', ...window }, at('2026-12-01T00:00:00Z'))).toBe('paused');
    expect(statusOf({ state: 'paused', ...window }, at('2026-12-21T00:00:00Z'))).toBe('ended');
    expect(statusOf({ state: 'ended', ...window }, at('2026-12-11T00:00:00Z'))).toBe('ended');
  });

  it('edits only a scheduled campaign, and never leaves ended', () => {
    expect(canTransition('edit', 'scheduled')).toBe(true);
    expect(['active', 'paused', 'ended'].some((s) => canTransition('edit', s as never))).toBe(false);
    expect(canTransition('pause', 'active')).toBe(true);
    expect(canTransition('pause', 'paused')).toBe(false);
    expect(canTransition('resume', 'paused')).toBe(true);
    expect(canTransition('resume', 'active')).toBe(false);
    expect(canTransition('end', 'paused')).toBe(true);
    for (const transition of ['edit', 'pause', 'resume', 'end'] as const) expect(canTransition(transition, 'ended')).toBe(false);
  });
});
