import { describe, expect, it } from 'vitest';
import { fuzz } from '../../scripts/fuzz';

describe('fuzz', () => {
  it('survives 10,000 random and malformed frames, and a client in another room gets every broadcast', async () => {
    const result = await fuzz(10_000, { clients: 60, seed: 1234 });
    expect(result.frames).toBeGreaterThanOrEqual(10_000);
    expect(result.serverAlive).toBe(true);
    expect(result.broadcastsExpected).toBeGreaterThan(20);
    expect(result.broadcastsReceived).toBe(result.broadcastsExpected);
  }, 120_000);
});
