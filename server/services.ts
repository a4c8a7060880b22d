/** The room core's services on a running server: the SQLite store, the system clock, crypto's randomness. */
import { randomInt } from 'node:crypto';
import { nanoid } from 'nanoid';
import { MAX_SEED } from '../shared/engine/limits';
import type { ServerConfig } from './config';
import type { CoreServices } from './core/services';
import type { RoundStore } from './store';

export function systemServices(store: RoundStore, config: ServerConfig): CoreServices {
  return {
    store,
    limits: config,
    clock: { now: () => performance.now(), stamp: () => new Date().toISOString() },
    random: { seed: () => randomInt(0, MAX_SEED), roundId: () => nanoid(16) },
  };
}
