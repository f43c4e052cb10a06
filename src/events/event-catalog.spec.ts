import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG, EVENT_TYPES } from './event-catalog';

describe('the event catalog', () => {
  it('defines each event type once, in the documented order', () => {
    expect(EVENT_CATALOG.map((e) => e.type)).toEqual([...EVENT_TYPES]);
  });

  it('gives every example every field its schema requires, and no other', () => {
    for (const event of EVENT_CATALOG) {
      const schema = event.data as { required: string[] };
      expect({ type: event.type, fields: Object.keys(event.example).sort() }).toEqual({ type: event.type, fields: [...schema.required].sort() });
    }
  });

  it('is documented in docs/events.md, one section per type', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'events.md'), 'utf8');
    const sections = [...doc.matchAll(/^### `([a-z._]+)`$/gm)].map((m) => m[1]);
    expect(sections).toEqual([...EVENT_TYPES]);
  });
});
