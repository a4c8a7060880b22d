/**
 * The process-wide services rooms need (Colyseus creates rooms itself, so they cannot be passed in a
 * constructor). One Colyseus server runs per process; `createQuorumServer` sets this once.
 */
import type { Registry } from './registry';

let current: Registry | null = null;

export function setRegistry(registry: Registry | null): void {
  current = registry;
}

export function registry(): Registry {
  if (!current) throw new Error('the Quorum server is not running');
  return current;
}
