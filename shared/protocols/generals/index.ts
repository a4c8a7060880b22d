/**
 * Two generals: the essay's picture of why atomic commit across a network is hard. General A sends
 * B the plan, "attack at dawn", by messengers who may be caught on the way; each general answers
 * the last messenger that reached it with an acknowledgement, as often as it likes, and may order
 * its army to attack. At dawn each army attacks or stays in camp as ordered. The last messenger
 * sent is never known to have arrived, so no exchange of messengers makes both generals sure.
 * Nothing is chosen by a vote: the outcome is who attacked at dawn.
 */
import { nodeName } from '../../engine/names';
import { defineProtocol } from '../../engine/protocol';
import { learnedOne } from '../common';
import { generalsActions } from './actions';
import { generalsPolicy } from './bots';
import { BOTH_ATTACKED, NO_BATTLE, aloneOutcome, generalsPresentation } from './present';
import {
  DAWN,
  PLANNER,
  dawnTick,
  depthOf,
  messengerWords,
  otherOf,
  seeDawn,
  type GeneralDurable,
  type GeneralVolatile,
  type GeneralsAction,
  type GeneralsGlobal,
  type GeneralsPayload,
} from './state';

export { DAWN, OTHER, PLANNER, dawnTick, depthOf, messengerWords } from './state';
export { BOTH_ATTACKED, NO_BATTLE, aloneOutcome, lastKnownArrived } from './present';
export type { GeneralDurable, GeneralVolatile, GeneralsAction, GeneralsGlobal, GeneralsPayload } from './state';

export const twoGenerals = defineProtocol<GeneralDurable, GeneralVolatile, GeneralsAction, GeneralsPayload, GeneralsGlobal>({
  name: 'generals',
  title: 'Two generals',
  moveNoun: 'a two-generals',
  nodeRange: { min: 2, max: 2 },
  lessonOnly: true,

  roleOf: (_config, id) => (id === PLANNER ? 'planner' : 'ally'),

  initDurable: () => ({ heard: 0, sent: 0, messengers: 0, sentAt: null, attack: false, dawn: false }),

  initVolatile: () => ({}),

  initGlobal: () => ({ attackAt: {}, dawnAt: null }),

  onStart(ctx, id) {
    ctx.setTimer(id, DAWN, Math.max(1, dawnTick(ctx.config)));
  },

  // No client takes part: the plan is A's own.
  onPropose() {},

  onRecover(ctx, id) {
    const left = dawnTick(ctx.config) - ctx.now;
    if (left > 0) ctx.setTimer(id, DAWN, left);
    else seeDawn(ctx, id, true);
  },

  onDeliver(ctx, id, message) {
    const d = ctx.durable(id);
    if (d.dawn) return false;
    const depth = depthOf(message.payload);
    // A messenger older than the news it already has tells it nothing.
    if (depth < d.heard) return false;
    if (depth > d.heard) ctx.setDurable(id, { ...d, heard: depth });
    // Only the newest messenger waits for an answer.
    if (ctx.node(id).inbox.length > 0) ctx.setInbox(id, []);
    return true;
  },

  actions: generalsActions,

  timers: {
    [DAWN]: {
      title: 'dawn timer',
      then: ({ durable: d }) => (d.attack ? 'your army attacks' : 'your army stays in camp unless you have ordered the attack'),
      fired: ({ durable: d }) => (d.attack ? 'its army attacks' : 'its army stays in camp'),
      onTimeout: (ctx, id) => seeDawn(ctx, id, false),
    },
  },

  ruleTitles: {
    'no-plan': 'attack only on a plan you received',
    'attack-final': 'an order to attack stands',
    unheard: 'acknowledge only a messenger you received',
  },

  messages: {
    plan: { label: () => 'ATTACK AT DAWN', countsTowardOutcome: true },
    ack: { label: (p) => `ACK ${p.n}`, countsTowardOutcome: true },
  },

  // Who attacked at dawn; before dawn, nothing is decided.
  outcome(world) {
    if (world.tick < dawnTick(world.config)) return null;
    const attackers = world.nodes.filter((n) => n.durable.attack).map((n) => n.id);
    if (attackers.length === 0) return NO_BATTLE;
    return attackers.length === world.nodes.length ? BOTH_ATTACKED : aloneOutcome(nodeName(attackers[0]!));
  },
  mustKnowOutcome: () => true,
  // A general knows what came of the night once it has seen the dawn.
  knowsOutcome: (node) => node.durable.dawn,
  // Nothing is chosen.
  learned: () => learnedOne(null),

  invariants(world) {
    const broken: { code: string; message: string }[] = [];
    for (const node of world.nodes) {
      const d = node.durable;
      if (node.id !== PLANNER && d.attack && d.heard === 0) {
        broken.push({ code: 'attack-without-plan', message: `${nodeName(node.id)} ordered the attack, though no messenger had brought it the plan.` });
      }
      // Each messenger answers the one before it: none goes deeper than one past what its sender received.
      if (d.sent > d.heard + 1) {
        broken.push({ code: 'acknowledged-unheard', message: `${nodeName(node.id)} sent ${messengerWords(d.sent)}, answering a messenger it never received.` });
      }
      const other = world.nodes[otherOf(node.id)]?.durable;
      if (other && d.heard > other.sent) {
        broken.push({ code: 'heard-unsent', message: `${nodeName(node.id)} received ${messengerWords(d.heard)}, which no general sent.` });
      }
    }
    return broken;
  },

  // Dawn comes whatever the network does: every round ends with an outcome.
  decidesOnceHealed: true,

  clients: { oneRequest: true, openingRequests: () => [] },

  bots: { policy: generalsPolicy, eagerShare: 0 },

  present: generalsPresentation,
});
