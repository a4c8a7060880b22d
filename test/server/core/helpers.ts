/** Shared pieces of the room core's tests: a class hosted in memory, and what its clients were told. */
import type { GodView, NodeView } from '../../../shared';
import { MemoryHost, type HostOptions, type MemoryClient } from '../../../server/sim/host';

export { MemoryHost, type MemoryClient };

/** A class in memory whose clock ticks every 100 ms at speed 1. */
export function classroom(options: HostOptions = {}): MemoryHost {
  return new MemoryHost({ ...options, limits: { tickMs: 100, ...options.limits } });
}

export const god = (client: MemoryClient): GodView => client.lastView!.view as GodView;
export const mine = (client: MemoryClient): NodeView => client.lastView!.view as NodeView;

/** The codes of the rejections a client got after the first `from`. */
export const rejectedSince = (client: MemoryClient, from: number): string[] => client.got.rejected.slice(from).map((r) => r.code);

/** Moves the host's clock on, one tick at a time at speed 1, until `done` holds; fails after `ticks` ticks. */
export function tickUntil(host: MemoryHost, done: () => boolean, what: string, ticks = 2000): void {
  for (let i = 0; i < ticks && !done(); i++) host.advance(host.services.limits.tickMs);
  if (!done()) throw new Error(`${what} did not happen within ${ticks} ticks`);
}

/** The one round the store holds for this class, or the latest. */
export function storedRound(host: MemoryHost) {
  return [...host.store.rounds.values()].at(-1)!;
}
