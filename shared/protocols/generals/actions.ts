/** A general's moves, one entry per kind: send the plan, acknowledge the last messenger received, order the attack. */
import { nodeName } from '../../engine/names';
import type { ActionTable } from '../../engine/protocol';
import { rejection, ruleBroken } from '../../engine/rejections';
import type { Rejection } from '../../engine/types';
import { int, literal, object } from '../../wire/schema';
import {
  PLANNER,
  messengerWords,
  otherOf,
  type GeneralDurable,
  type GeneralVolatile,
  type GeneralsAction,
  type GeneralsGlobal,
  type GeneralsLocal,
  type GeneralsPayload,
} from './state';

/** The deepest acknowledgement a move may name: far beyond any exchange before dawn. */
const MAX_ACK = 10_000;

function afterDawn(local: GeneralsLocal): Rejection | null {
  return local.node.durable.dawn ? rejection('after-dawn', 'Dawn has come: the battle is over, and nothing sent or ordered now changes it.') : null;
}

export const generalsActions: ActionTable<GeneralDurable, GeneralVolatile, GeneralsAction, GeneralsPayload, GeneralsGlobal> = {
  plan: {
    schema: object({ kind: literal('plan') }),
    moves: ({ node }) => (node.id === PLANNER && node.durable.heard === 0 && !node.durable.dawn ? [{ kind: 'plan' }] : []),
    check(local) {
      if (local.node.id !== PLANNER) return rejection('not-planner', 'Only general A makes the plan; B answers the messengers that reach it.');
      const late = afterDawn(local);
      if (late) return late;
      return local.node.durable.heard > 0 ? rejection('plan-acknowledged', 'B has acknowledged the plan already: answer its acknowledgement instead.') : null;
    },
    apply(ctx, id) {
      const d = ctx.durable(id);
      ctx.setDurable(id, { ...d, sent: Math.max(d.sent, 1), messengers: d.messengers + 1, sentAt: ctx.now });
      ctx.send(id, otherOf(id), { kind: 'plan' });
    },
    describe: (_action, node) => (node.durable.messengers === 0 ? 'sent a messenger with the plan: attack at dawn' : 'sent another messenger with the plan'),
    label: () => 'Send a messenger: attack at dawn',
  },

  ack: {
    schema: object({ kind: literal('ack'), n: int(1, MAX_ACK) }),
    moves: ({ node: { durable: d } }) => (d.heard > 0 && !d.dawn ? [{ kind: 'ack', n: d.heard }] : []),
    // Acknowledge a messenger that never came: the next one this general would answer.
    ruleBreakingMoves: ({ node }) => (node.durable.dawn ? [] : [{ kind: 'ack', n: node.durable.heard > 0 ? node.durable.heard + 2 : node.id === PLANNER ? 2 : 1 }]),
    check(local, action) {
      const late = afterDawn(local);
      if (late) return late;
      const heard = local.node.durable.heard;
      // A sends the odd messengers of the chain (the plan, acknowledgement (2)...), B the even ones.
      const own = (action.n + 1) % 2 === (local.node.id === PLANNER ? 1 : 0);
      if (own && action.n > heard) {
        return ruleBroken(
          'unheard',
          heard === 0
            ? `No messenger has reached you, so you have nothing to acknowledge: acknowledgement (${action.n}) would tell of a messenger you never received.`
            : `The last messenger to reach you brought ${messengerWords(heard)}: acknowledgement (${action.n}) would tell of a messenger you never received.`,
        );
      }
      if (heard === 0) return rejection('nothing-to-acknowledge', 'No messenger has reached you yet, so there is nothing to acknowledge.');
      return action.n === heard
        ? null
        : rejection('wrong-acknowledgement', `The last messenger to reach you brought ${messengerWords(heard)}: your answer to it is acknowledgement (${heard}).`);
    },
    apply(ctx, id, action) {
      const d = ctx.durable(id);
      ctx.setDurable(id, { ...d, sent: Math.max(d.sent, action.n + 1), messengers: d.messengers + 1, sentAt: ctx.now });
      // The messenger waiting for an answer has it.
      if (ctx.node(id).inbox.length > 0) ctx.setInbox(id, []);
      ctx.send(id, otherOf(id), { kind: 'ack', n: action.n });
    },
    describe: (action, node) => (node.durable.sent > action.n ? `sent acknowledgement (${action.n}) again` : `sent acknowledgement (${action.n})`),
    label: (action) => `Send an acknowledgement (${action.n})`,
  },

  attack: {
    schema: object({ kind: literal('attack') }),
    moves: ({ node }) => {
      const d = node.durable;
      return !d.attack && !d.dawn && (node.id === PLANNER || d.heard > 0) ? [{ kind: 'attack' }] : [];
    },
    // B attacks on a plan it never received.
    ruleBreakingMoves: ({ node }) => {
      const d = node.durable;
      return node.id !== PLANNER && d.heard === 0 && !d.attack && !d.dawn ? [{ kind: 'attack' }] : [];
    },
    check(local) {
      const late = afterDawn(local);
      if (late) return late;
      const d = local.node.durable;
      if (d.attack) return rejection('already-attacking', 'You have ordered the attack already: your army is on its way.');
      if (local.node.id !== PLANNER && d.heard === 0) {
        return ruleBroken('no-plan', `No messenger has reached you, so you know of no plan. A general attacks only on a plan it received, from ${nodeName(PLANNER)}.`);
      }
      return null;
    },
    apply(ctx, id) {
      ctx.setDurable(id, { ...ctx.durable(id), attack: true });
      const global = ctx.protocolGlobal();
      ctx.setProtocolGlobal({ ...global, attackAt: { ...global.attackAt, [id]: ctx.now } });
    },
    describe: () => 'ordered its army to attack at dawn',
    label: () => 'Attack',
  },

  // Never a move by the rules: an order to attack stands. Sandbox rounds offer it, to show a general changing its mind.
  standDown: {
    schema: object({ kind: literal('standDown') }),
    ruleBreakingMoves: ({ node: { durable: d } }) => (d.attack && !d.dawn ? [{ kind: 'standDown' }] : []),
    check(local) {
      const late = afterDawn(local);
      if (late) return late;
      if (!local.node.durable.attack) return rejection('not-attacking', 'You have not ordered the attack: your army is in camp already.');
      return ruleBroken('attack-final', 'You ordered the attack, and the order stands: your army is already on its way.');
    },
    apply(ctx, id) {
      ctx.setDurable(id, { ...ctx.durable(id), attack: false });
    },
    describe: () => 'called off the attack it had ordered',
    label: () => 'Call off the attack',
  },
};
