import { describe, expect, it } from 'vitest';
import { protocolFor } from '../../shared';
import { commandSchema } from '../../shared/wire/commands';
import { clientMessages } from '../../shared/wire/messages';
import { check, int, object, tagged } from '../../shared/wire/schema';

/** JSON text, parsed as the server would: `__proto__` becomes an own field, as it does on the wire. */
const json = (text: string): unknown => JSON.parse(text);

describe('object schemas take own fields only', () => {
  const ACT = '"seq": 1, "action": {"kind": "vote", "decree": "X"}';

  it('accepts a plain act', () => {
    expect(check(clientMessages.act, json(`{${ACT}}`)).ok).toBe(true);
  });

  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`refuses an act with an extra "${name}" field, whose name an object inherits`, () => {
      const result = check(clientMessages.act, json(`{${ACT}, "${name}": {"a": 1}}`));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBe(`the message has an unknown field "${name}"`);
    });

    it(`refuses an action with an extra "${name}" field`, () => {
      const action = json(`{"kind": "vote", "decree": "X", "${name}": 1}`);
      expect(typeof protocolFor('majority').parseAction(action)).toBe('string');
      expect(protocolFor('majority').parseAction(action)).toMatch(new RegExp(`unknown field "${name}"`));
    });
  }

  it('does not read a field from the prototype chain', () => {
    const schema = object({ n: int(0, 9) });
    const inherited = Object.create({ n: 3 }) as object;
    const result = check(schema, inherited);
    expect(result.ok ? null : result.error).toBe('n is missing');
  });

  it('does not take a tag from the prototype chain', () => {
    const schema = tagged('type', { a: object({ type: int(0, 0) }) });
    expect(check(schema, Object.create({ type: 'a' })).ok).toBe(false);
    const command = Object.create({ type: 'heal' }) as object;
    expect(check(commandSchema, command).ok).toBe(false);
  });

  it('does not take an action kind from the prototype chain', () => {
    const action = Object.create({ kind: 'vote' }) as object;
    const result = check(clientMessages.act, { seq: 1, action });
    expect(result.ok ? null : result.error).toMatch(/action\.kind must be a short text/);
  });
});
