/**
 * Comparing secrets (instructor keys, the admin password) without leaking them through timing: both
 * sides are hashed to SHA-256 first, so the comparison always runs over 32 bytes, whatever was sent,
 * and `timingSafeEqual` takes the same time wherever the first difference is.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The SHA-256 of a key, in hex: what the store keeps instead of the key. */
export function hashKey(key: string): string {
  return digest(key).toString('hex');
}

/** Whether `given` is the secret `expected`, in time that depends on neither's content nor length. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether `given` hashes to `expectedHash` (as `hashKey` writes it), in constant time. */
export function matchesKeyHash(given: string, expectedHash: string): boolean {
  const expected = Buffer.from(expectedHash, 'hex');
  // A stored hash of the wrong size matches nothing; it is compared all the same, so that this takes the same time.
  const usable = expected.length === 32;
  return timingSafeEqual(digest(given), usable ? expected : digest('')) && usable;
}
