/**
 * Bots are pure policies: (view, rng) -> command or nothing. They see only what their node can know
 * and choose only among the legal actions the engine lists, exactly like a human's buttons. Each
 * protocol writes its own policy (`bots.policy`); the tempers here say how quickly and how boldly
 * a bot plays it. Thinking takes time: each tick a bot acts with some chance, so its delays are
 * drawn from the rng.
 */
import type { Temper } from '../engine/protocol';
import type { Rng } from '../engine/rng';
import type { Command } from '../engine/types';
import type { NodeView } from '../engine/view';
import { protocolFor } from '../protocols';

export type BotKind = 'faithful' | 'slow' | 'eager' | 'flaky';
export const BOT_KINDS: readonly BotKind[] = ['faithful', 'slow', 'eager', 'flaky'];

const TEMPERS: Record<BotKind, Temper> = {
  faithful: { think: 0.5, retry: 0.15, no: 0.05 },
  slow: { think: 0.15, retry: 0.1, no: 0.05 },
  eager: { think: 0.9, retry: 0.3, no: 0.02 },
  flaky: { think: 0.5, retry: 0.15, no: 0.05 },
};

/** Flaky bots crash now and then, and come back. */
const FLAKY_CRASH = 0.004;
const FLAKY_RECOVER = 0.05;

/** One tick's decision of a bot of the given kind, for its node. */
export function botDecide(kind: BotKind, view: NodeView, rng: Rng, allowCrash = true): Command | null {
  const temper = TEMPERS[kind];
  if (kind === 'flaky' && allowCrash) {
    if (view.self.crashed) return rng.chance(FLAKY_RECOVER) ? { type: 'recover', node: view.node } : null;
    if (rng.chance(FLAKY_CRASH)) return { type: 'crash', node: view.node };
  }
  if (view.self.crashed || !rng.chance(temper.think)) return null;
  const action = protocolFor(view.protocol).bots.policy(view, rng, temper);
  return action ? { type: 'act', node: view.node, action } : null;
}
