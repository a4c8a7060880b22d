import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashKey, matchesKeyHash, sameSecret } from '../../server/secrets';

const SERVER = resolve(import.meta.dirname, '..', '..', 'server');

describe('instructor keys', () => {
  it('are compared in constant time: equal digests, whatever the lengths', () => {
    const key = 'k7Qx3-secret-instructor-key';
    expect(sameSecret(key, key)).toBe(true);
    for (const guess of ['', 'k', key.slice(0, -1), `${key}x`, key.toUpperCase(), 'x'.repeat(10_000)]) {
      expect(sameSecret(guess, key)).toBe(false);
    }
    const stored = hashKey(key);
    expect(matchesKeyHash(key, stored)).toBe(true);
    expect(matchesKeyHash(`${key} `, stored)).toBe(false);
    // A damaged stored hash matches nothing and does not throw.
    expect(matchesKeyHash(key, stored.slice(0, 10))).toBe(false);
    expect(matchesKeyHash('', '')).toBe(false);
  });

  it('are never compared with == or != in the server', () => {
    const secret = String.raw`(?:instructorKey|key_hash|keyHash|password|hashKey\([^)]*\))`;
    const plainCompare = new RegExp(String.raw`${secret}\s*[!=]==?|[!=]==?\s*[\w.]*${secret}`, 'i');
    const found: string[] = [];
    const files = (readdirSync(SERVER, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files).toContain(join('core', 'room.ts'));
    for (const file of files) {
      readFileSync(join(SERVER, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (plainCompare.test(line)) found.push(`server/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
