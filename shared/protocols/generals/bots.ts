/**
 * How a bot general plays: it answers every messenger that reaches it, A sends the plan (and again
 * once a round trip has passed with no acknowledgement), and it orders the attack once a messenger of its own
 * has been acknowledged. No rule of this kind can make both generals sure; this one is merely
 * reasonable, and a lost messenger can still leave one army to attack alone.
 */
import type { BotView, Temper } from '../../engine/protocol';
import type { Rng } from '../../engine/rng';
import { find } from '../common';
import { PLANNER, type GeneralDurable, type GeneralVolatile, type GeneralsAction, type GeneralsPayload } from './state';

export function generalsPolicy(view: BotView<GeneralDurable, GeneralVolatile, GeneralsAction, GeneralsPayload>, rng: Rng, temper: Temper): GeneralsAction | undefined {
  const d = view.self.durable;
  if (d.dawn) return undefined;
  const legal = view.legal;
  if (view.inbox.length > 0) {
    const ack = find(legal, 'ack');
    if (ack) return ack;
  }
  const plan = find(legal, 'plan');
  const roundTrip = 2 * view.settings.latencyMax;
  if (plan && (d.sentAt === null || (view.now - d.sentAt > roundTrip && rng.chance(temper.retry)))) return plan;
  // Its own first messenger is the plan (A) or acknowledgement (1) (B): an answer to it is one deeper.
  const ownFirst = view.self.id === PLANNER ? 1 : 2;
  if (d.heard > ownFirst) return find(legal, 'attack');
  return undefined;
}
