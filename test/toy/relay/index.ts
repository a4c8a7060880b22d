/**
 * Relay: a toy protocol that exists only in the tests, written the way a new protocol is written:
 * one folder, registered with one line. A node hands a client's decree on with ANNOUNCE; a node that
 * hears an announcement adopts it (once: that is its one rule) and tells everyone with ADOPTED; a
 * decree is chosen when a majority adopted it, and a node learns it from its own count.
 */
import { majorityOf, nodeName } from '../../../shared/engine/names';
import { defineProtocol, type ProtocolContext } from '../../../shared/engine/protocol';
import { rejection, ruleBroken } from '../../../shared/engine/rejections';
import type { NodeId } from '../../../shared/engine/types';
import { literal, object } from '../../../shared/wire/schema';
import { DECREE, answerSchema, chosenDecreeReveal, find, isRejection, learnedByEveryNode, pending, spreadRequests, withItem } from '../../../shared/protocols/common';

export interface RelayDurable {
  adopted: string | null;
  learned: string | null;
}

export interface RelayVolatile {
  requests: string[];
  /** Who this node heard adopt what. */
  heard: Record<string, NodeId[]>;
}

export type RelayAction = { kind: 'announce'; decree: string } | { kind: 'adopt'; msg: number } | { kind: 'ignore'; msg: number };
export type RelayPayload = { kind: 'announce'; decree: string } | { kind: 'adopted'; decree: string };

type Ctx = ProtocolContext<RelayDurable, RelayVolatile, RelayPayload>;

function hear(ctx: Ctx, id: NodeId, from: NodeId, decree: string): void {
  const v = ctx.volatile(id);
  const heard = withItem(v.heard[decree] ?? [], from);
  ctx.setVolatile(id, { ...v, heard: { ...v.heard, [decree]: heard } });
  const d = ctx.durable(id);
  if (d.learned === null && heard.length >= majorityOf(ctx.config.nodes)) {
    ctx.setDurable(id, { ...d, learned: decree });
    ctx.emit({ type: 'learned', visibleTo: [id], node: id, decree, text: `${nodeName(id)} learned that ${decree} is chosen.` });
  }
}

export const relay = defineProtocol<RelayDurable, RelayVolatile, RelayAction, RelayPayload>({
  name: 'relay',
  title: 'Relay',
  moveNoun: 'a relay',
  roleOf: () => 'relay',
  initDurable: () => ({ adopted: null, learned: null }),
  initVolatile: () => ({ requests: [], heard: {} }),

  onPropose(ctx, id, decree) {
    const v = ctx.volatile(id);
    ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree) });
  },
  onDeliver(ctx, id, message) {
    if (message.payload.kind === 'adopted') {
      hear(ctx, id, message.from, message.payload.decree);
      return false;
    }
    return ctx.durable(id).adopted === null;
  },
  onRecover() {},

  actions: {
    announce: {
      schema: object({ kind: literal('announce'), decree: DECREE }),
      moves: (local) => local.node.volatile.requests.map((decree) => ({ kind: 'announce', decree })),
      check: (local, action) =>
        local.node.volatile.requests.includes(action.decree) ? null : rejection('not-requested', `No client asked you for ${action.decree}.`),
      apply: (ctx, id, action) => ctx.broadcast(id, { kind: 'announce', decree: action.decree }, true),
      describe: (action) => `announced ${action.decree}`,
      label: (action) => `Announce ${action.decree}`,
    },
    adopt: {
      schema: answerSchema('adopt'),
      answers: (local, m) => (local.node.durable.adopted === null ? [{ kind: 'adopt', msg: m.id }] : []),
      ruleBreakingAnswers: (local, m) => (local.node.durable.adopted !== null ? [{ kind: 'adopt', msg: m.id }] : []),
      check(local, action) {
        const entry = pending(local, action.msg, ['announce']);
        if (isRejection(entry)) return entry;
        const adopted = local.node.durable.adopted;
        return adopted === null ? null : ruleBroken('adopted-once', `You already adopted ${adopted}: a node adopts one decree.`);
      },
      apply(ctx, id, action) {
        const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
        ctx.removeFromInbox(id, entry.id);
        const decree = entry.payload.decree;
        ctx.setDurable(id, { ...ctx.durable(id), adopted: decree });
        ctx.castVote({ slot: 0, key: 'relay', value: decree, voter: id, verb: 'voted', voterKnew: () => (ctx.volatile(id).heard[decree]?.length ?? 0) + 1 >= majorityOf(ctx.config.nodes) });
        ctx.broadcast(id, { kind: 'adopted', decree }, true);
      },
      describe: () => 'adopted an announcement',
      label: () => 'Adopt',
    },
    ignore: {
      schema: answerSchema('ignore'),
      answers: (_local, m) => [{ kind: 'ignore', msg: m.id }],
      check(local, action) {
        const entry = pending(local, action.msg, ['announce']);
        return isRejection(entry) ? entry : null;
      },
      apply: (ctx, id, action) => ctx.removeFromInbox(id, action.msg),
      describe: () => 'ignored a message',
      label: () => 'Ignore',
    },
  },
  ruleTitles: { 'adopted-once': 'adopt one decree' },
  messages: {
    announce: { label: (p) => `ANNOUNCE ${p.decree}`, countsTowardOutcome: false },
    adopted: { label: (p) => `ADOPTED ${p.decree}`, countsTowardOutcome: true },
  },

  ...learnedByEveryNode,
  invariants: () => [],
  // Two announcements can split the adoptions for good.
  decidesOnceHealed: false,

  clients: { oneRequest: false, openingRequests: spreadRequests },

  bots: {
    policy(view, rng, temper) {
      const adopt = find(view.legal, 'adopt');
      if (adopt) return adopt;
      if (view.self.durable.adopted === null && rng.chance(temper.retry)) return find(view.legal, 'announce');
      return undefined;
    },
    eagerShare: 0,
  },

  present: {
    stateLines: ({ durable: d, learned: [learned] }) => [d.adopted ? `adopted ${d.adopted}` : 'adopted nothing', ...(learned ? [`learned: ${learned} is chosen`] : [])],
    summaryLines: ({ durable: d }) => [d.adopted ? `adopted ${d.adopted}` : 'waiting'],
    showRoles: false,
    roleHint: () => 'Adopt the first announcement you hear: a decree is chosen when a majority adopts it.',
    messages: {
      announce: { colour: 'skyBlue', shape: 'triangle', short: 'ANNOUNCE' },
      adopted: { colour: 'purple', shape: 'square', short: 'ADOPTED' },
    },
    reveal: chosenDecreeReveal((who) => `${who} adopted it`),
  },
});
