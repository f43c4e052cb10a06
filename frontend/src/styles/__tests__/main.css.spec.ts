import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Read from disk (Vitest runs in the web app's folder): it hands a test an empty string for any CSS import.
const css = readFileSync(join(process.cwd(), 'src', 'styles', 'main.css'), 'utf8');

/** The declarations of every rule (at any depth) whose selector list is exactly `selector`. */
function rulesFor(selector: string): string[] {
  const out: string[] = [];
  for (const m of css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    if (m[1]!.trim() === selector) out.push(m[2]!);
  }
  return out;
}

describe('main.css', () => {
  it('defines .choice once: the bordered box of the recharge page’s provider and method buttons', () => {
    const rules = rulesFor('.choice');
    expect(rules).toHaveLength(1);
    const rule = rules[0]!;
    expect(rule).toMatch(/border:\s*2px solid var\(--border\)/);
    expect(rule).not.toMatch(/border:\s*0/);
    expect(rule).toMatch(/padding:\s*10px 12px/);
    // also a fieldset of radio options: a grid, no fieldset margin, may shrink
    expect(rule).toMatch(/display:\s*grid/);
    expect(rule).toMatch(/min-width:\s*0/);
  });

  it('a selected choice is marked', () => {
    expect(rulesFor('.choice.selected').join('')).toMatch(/border-color:\s*var\(--primary\)/);
  });

  it('a dialog never grows past a phone’s screen: its question wraps a long address or id anywhere, its column may shrink', () => {
    expect(rulesFor('.confirm-message').join('')).toMatch(/overflow-wrap:\s*anywhere/);
    const dialog = rulesFor('.dialog').join('');
    expect(dialog).toMatch(/min-width:\s*0/);
    expect(dialog).toMatch(/grid-template-columns:\s*minmax\(0,\s*1fr\)/);
    expect(rulesFor('.unmatched-table td').join('')).toMatch(/overflow-wrap:\s*anywhere/);
  });

  it('the admin’s sections never scroll sideways: the tabs wrap; on a phone a menu opens them as a two-column list', () => {
    const tabs = rulesFor('.admin-tabs').join('');
    expect(tabs).toMatch(/flex-wrap:\s*wrap/);
    expect(tabs).not.toMatch(/overflow(-x)?:\s*(auto|scroll)/);
    expect(rulesFor('.admin-nav-toggle')[0]).toMatch(/display:\s*none/); // wide screens: no menu button
    const list = rulesFor('.admin-nav.open .admin-tabs').join('');
    expect(list).toMatch(/display:\s*grid/);
    expect(list).toMatch(/grid-template-columns:\s*repeat\(2,\s*minmax\(0,\s*1fr\)\)/);
    expect(rulesFor('.admin-tab').join('')).toMatch(/white-space:\s*normal/);
  });
});
