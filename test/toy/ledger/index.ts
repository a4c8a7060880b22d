/**
 * Ledger: a toy replicated log that exists only in the tests, written as a new protocol is written
 * (one folder, one registry line) to show that a log of slots, each decided on its own, and timers
 * fit the engine without touching it.
 *
 * Node A is the sequencer. Clients hand it decrees; it puts each into the next free slot and sends
 * APPEND(slot, decree). A node accepts a slot's decree once (its one rule) and tells everyone with
 * ACK; a decree is chosen in a slot when a majority accepted it there, and a node learns each slot
 * from its own count of ACKs, or from the sequencer's COMMIT. Two timers: the sequencer's heartbeat,
 * drawn at random each time from the world's random source, on which it sends every slot's news
 * again by itself (APPEND while the slot is open, COMMIT once it learned it); and each other node's
 * watch timer, which every message from the sequencer starts again, and which fires when the
 * sequencer has been silent too long.
 */
import { majorityOf, nodeName } from '../../../shared/engine/names';
import { defineProtocol, type ProtocolContext } from '../../../shared/engine/protocol';
import { rejection, ruleBroken } from '../../../shared/engine/rejections';
import type { LearnedLog, NodeId, Slot } from '../../../shared/engine/types';
import { int, literal, object } from '../../../shared/wire/schema';
import { DECREE, answerSchema, chosenDecreeReveal, chosenIn, find, isRejection, pending, withItem } from '../../../shared/protocols/common';

export const SEQUENCER: NodeId = 0;
const MAX_SLOT = 63;

export interface LedgerDurable {
  /** What this node accepted in each slot (null: nothing yet); once accepted, a slot's value stays. */
  accepted: (string | null)[];
  /** What it learned is chosen in each slot. */
  learned: (string | null)[];
  /** The sequencer's log of placements: slot by slot, the decree it put there, written before it is sent. */
  placed: string[];
}

export interface LedgerVolatile {
  /** The sequencer: decrees clients asked for that it has not placed yet. */
  requests: string[];
  /** Who this node heard accept what, by slot and decree: "1:Y" -> [A, C]. */
  acks: Record<string, NodeId[]>;
  /** A node other than the sequencer: its watch timer fired, and nothing came from the sequencer since. */
  silent: boolean;
}

export type LedgerAction = { kind: 'place'; decree: string; slot: number } | { kind: 'accept'; msg: number } | { kind: 'ignore'; msg: number };
export type LedgerPayload =
  | { kind: 'append'; slot: number; decree: string }
  | { kind: 'ack'; slot: number; decree: string }
  | { kind: 'commit'; slot: number; decree: string }
  /** The sequencer's heartbeat when it has no slot to tell of. */
  | { kind: 'beat' };

type Ctx = ProtocolContext<LedgerDurable, LedgerVolatile, LedgerPayload>;

const HEARTBEAT = 'heartbeat';
const WATCH = 'watch';

/** The sequencer's heartbeat: a random interval of one to two latencies, from the world's random source. */
function armHeartbeat(ctx: Ctx): void {
  const { latencyMin, latencyMax } = ctx.config.settings;
  ctx.setTimer(SEQUENCER, HEARTBEAT, ctx.random(latencyMax + 1, latencyMax + latencyMin + 2));
}

/** A watcher waits one round timeout for the sequencer. */
function armWatch(ctx: Ctx, id: NodeId): void {
  ctx.setTimer(id, WATCH, ctx.config.settings.timeoutTicks);
}

function withSlot(log: readonly (string | null)[], slot: Slot, value: string): (string | null)[] {
  const next = log.slice();
  while (next.length < slot) next.push(null);
  next[slot] = value;
  return next;
}

function learn(ctx: Ctx, id: NodeId, slot: Slot, decree: string, how: string): void {
  const d = ctx.durable(id);
  if (d.learned[slot] != null) return;
  ctx.setDurable(id, { ...d, learned: withSlot(d.learned, slot, decree) });
  ctx.emit({ type: 'learned', visibleTo: [id], node: id, slot, decree, text: `${nodeName(id)} learned that ${decree} is chosen in slot ${slot} (${how}).` });
}

function hearAck(ctx: Ctx, id: NodeId, from: NodeId, slot: Slot, decree: string): void {
  const v = ctx.volatile(id);
  const key = `${slot}:${decree}`;
  const heard = withItem(v.acks[key] ?? [], from);
  ctx.setVolatile(id, { ...v, acks: { ...v.acks, [key]: heard } });
  if (heard.length >= majorityOf(ctx.config.nodes)) learn(ctx, id, slot, decree, `${heard.length} of ${ctx.config.nodes} accepted it`);
}

/** A node accepts a slot's decree: on its disk, in the god view's ballot box of that slot, and told to all. */
function acceptSlot(ctx: Ctx, id: NodeId, slot: Slot, decree: string): void {
  const d = ctx.durable(id);
  ctx.setDurable(id, { ...d, accepted: withSlot(d.accepted, slot, decree) });
  ctx.castVote({
    slot,
    key: 'ledger',
    value: decree,
    voter: id,
    verb: 'accepted',
    voterKnew: () => (ctx.volatile(id).acks[`${slot}:${decree}`]?.length ?? 0) + 1 >= majorityOf(ctx.config.nodes),
  });
  ctx.broadcast(id, { kind: 'ack', slot, decree }, true);
}

/** The sequencer's news of every slot it placed: COMMIT where it learned the decree, APPEND where the slot is open; a bare heartbeat when it placed nothing. */
function sendNews(ctx: Ctx): void {
  const d = ctx.durable(SEQUENCER);
  if (d.placed.length === 0) ctx.broadcast(SEQUENCER, { kind: 'beat' });
  d.placed.forEach((decree, slot) => {
    const learned = d.learned[slot];
    ctx.broadcast(SEQUENCER, learned != null ? { kind: 'commit', slot, decree: learned } : { kind: 'append', slot, decree });
  });
}

/** The log a node knows, slot by slot from 0, up to its first gap. */
function prefix(log: readonly (string | null)[]): string[] {
  const out: string[] = [];
  for (const v of log) {
    if (v == null) break;
    out.push(v);
  }
  return out;
}

export const ledger = defineProtocol<LedgerDurable, LedgerVolatile, LedgerAction, LedgerPayload>({
  name: 'ledger',
  title: 'Ledger',
  moveNoun: 'a ledger',
  roleOf: (_config, id) => (id === SEQUENCER ? 'sequencer' : 'follower'),
  initDurable: () => ({ accepted: [], learned: [], placed: [] }),
  initVolatile: () => ({ requests: [], acks: {}, silent: false }),

  onStart(ctx, id) {
    if (id === SEQUENCER) armHeartbeat(ctx);
    else armWatch(ctx, id);
  },
  onPropose(ctx, id, decree) {
    const v = ctx.volatile(id);
    if (id === SEQUENCER && !ctx.durable(id).placed.includes(decree)) ctx.setVolatile(id, { ...v, requests: withItem(v.requests, decree) });
  },
  onDeliver(ctx, id, message) {
    const p = message.payload;
    if (message.from === SEQUENCER && id !== SEQUENCER) {
      // Any word from the sequencer: it is alive, and the watch starts again.
      armWatch(ctx, id);
      if (ctx.volatile(id).silent) ctx.setVolatile(id, { ...ctx.volatile(id), silent: false });
    }
    switch (p.kind) {
      case 'append': {
        const mine = ctx.durable(id).accepted[p.slot];
        if (mine == null) return !ctx.node(id).inbox.some((m) => m.payload.kind === 'append' && m.payload.slot === p.slot && m.payload.decree === p.decree);
        // Accepted already: tell everyone again, whatever the APPEND says (a second decree waits for its answer).
        if (mine === p.decree) ctx.broadcast(id, { kind: 'ack', slot: p.slot, decree: mine }, true);
        return mine !== p.decree;
      }
      case 'ack':
        hearAck(ctx, id, message.from, p.slot, p.decree);
        return false;
      case 'commit':
        learn(ctx, id, p.slot, p.decree, `${nodeName(message.from)} announced it`);
        return false;
      case 'beat':
        return false;
    }
  },
  onRecover(ctx, id) {
    if (id === SEQUENCER) armHeartbeat(ctx);
    else armWatch(ctx, id);
  },

  timers: {
    [HEARTBEAT]: {
      title: 'heartbeat timer',
      then: () => 'you send every slot\'s news again: APPEND where it is open, COMMIT where you learned it',
      fired: () => 'it sends every slot\'s news again',
      onTimeout(ctx) {
        sendNews(ctx);
        armHeartbeat(ctx);
      },
    },
    [WATCH]: {
      title: 'watch timer',
      then: () => 'you will know the sequencer has been silent for a whole timeout',
      fired: () => 'the sequencer has been silent for a whole timeout',
      onTimeout(ctx, id) {
        ctx.setVolatile(id, { ...ctx.volatile(id), silent: true });
      },
    },
  },

  actions: {
    place: {
      schema: object({ kind: literal('place'), decree: DECREE, slot: int(0, MAX_SLOT) }),
      moves: ({ node: { id, durable: d, volatile: v } }) => (id === SEQUENCER ? v.requests.map((decree) => ({ kind: 'place', decree, slot: d.placed.length })) : []),
      // Put a decree into a slot that already holds another.
      ruleBreakingMoves: ({ node: { id, durable: d }, config }) =>
        id === SEQUENCER ? d.placed.flatMap((held, slot) => config.settings.decrees.filter((x) => x !== held).map((decree) => ({ kind: 'place' as const, decree, slot }))) : [],
      check(local, action) {
        const { id, durable: d, volatile: v } = local.node;
        if (id !== SEQUENCER) return rejection('not-sequencer', 'Only the sequencer, node A, puts decrees into slots.');
        if (action.slot < d.placed.length) {
          return ruleBroken('slot-used', `Slot ${action.slot} already holds ${d.placed[action.slot]}: a slot holds one decree, or two could be chosen there.`);
        }
        if (action.slot > d.placed.length) return rejection('slot-ahead', `The next free slot is ${d.placed.length}: a log has no gaps.`);
        return v.requests.includes(action.decree) ? null : rejection('not-requested', `No client asked for ${action.decree}.`);
      },
      apply(ctx, id, action) {
        const d = ctx.durable(id);
        const v = ctx.volatile(id);
        // The placement is logged before it is sent.
        const placed = withSlot(d.placed, action.slot, action.decree) as string[];
        ctx.setDurable(id, { ...d, placed });
        ctx.setVolatile(id, { ...v, requests: v.requests.filter((r) => r !== action.decree) });
        acceptSlot(ctx, id, action.slot, action.decree);
        ctx.broadcast(id, { kind: 'append', slot: action.slot, decree: action.decree });
      },
      describe: (action) => `put ${action.decree} into slot ${action.slot}`,
      label: (action) => `Put ${action.decree} into slot ${action.slot}`,
    },
    accept: {
      schema: answerSchema('accept'),
      answers: (local, m) => (m.payload.kind === 'append' && local.node.durable.accepted[m.payload.slot] == null ? [{ kind: 'accept', msg: m.id }] : []),
      ruleBreakingAnswers: (local, m) => (m.payload.kind === 'append' && local.node.durable.accepted[m.payload.slot] != null ? [{ kind: 'accept', msg: m.id }] : []),
      check(local, action) {
        const entry = pending(local, action.msg, ['append']);
        if (isRejection(entry)) return entry;
        if (entry.payload.kind !== 'append') return null;
        const held = local.node.durable.accepted[entry.payload.slot];
        return held == null ? null : ruleBroken('slot-taken', `You accepted ${held} in slot ${entry.payload.slot}: a node accepts one decree per slot.`);
      },
      apply(ctx, id, action) {
        const entry = ctx.node(id).inbox.find((m) => m.id === action.msg)!;
        ctx.removeFromInbox(id, entry.id);
        if (entry.payload.kind === 'append') acceptSlot(ctx, id, entry.payload.slot, entry.payload.decree);
      },
      describe: () => 'accepted an APPEND',
      label: () => 'Accept',
    },
    ignore: {
      schema: answerSchema('ignore'),
      answers: (_local, m) => [{ kind: 'ignore', msg: m.id }],
      check(local, action) {
        const entry = pending(local, action.msg, ['append']);
        return isRejection(entry) ? entry : null;
      },
      apply: (ctx, id, action) => ctx.removeFromInbox(id, action.msg),
      describe: () => 'ignored a message',
      label: () => 'Ignore',
    },
  },
  ruleTitles: { 'slot-used': 'a slot holds one decree', 'slot-taken': 'accept one decree per slot' },
  messages: {
    append: { label: (p) => `APPEND ${p.slot}:${p.decree}`, countsTowardOutcome: true },
    ack: { label: (p) => `ACK ${p.slot}:${p.decree}`, countsTowardOutcome: true },
    commit: { label: (p) => `COMMIT ${p.slot}:${p.decree}`, countsTowardOutcome: true },
    beat: { label: () => 'HEARTBEAT', countsTowardOutcome: false },
  },

  // The log, once every decree a client asked for is chosen in a slot of an unbroken prefix.
  outcome(world) {
    const log: string[] = [];
    for (let slot = 0; ; slot++) {
      const decree = chosenIn(world.global.chosen, slot);
      if (decree === null) break;
      log.push(decree);
    }
    return world.proposed.length > 0 && world.proposed.every((d) => log.includes(d)) ? log.join(', ') : null;
  },
  mustKnowOutcome: () => true,
  knowsOutcome: (node, outcome) => prefix(node.durable.learned).join(', ') === outcome,
  learned: (node): LearnedLog => node.durable.learned,
  invariants: () => [],
  decidesOnceHealed: true,

  // Every request goes to the sequencer.
  clients: { oneRequest: false, openingRequests: (decrees) => decrees.map((decree) => ({ node: SEQUENCER, decree })) },

  bots: {
    policy(view, rng, temper) {
      const accept = find(view.legal, 'accept');
      if (accept) return accept;
      const place = find(view.legal, 'place');
      if (place && rng.chance(temper.retry * 3)) return place;
      return undefined;
    },
    eagerShare: 0,
  },

  present: {
    stateLines({ durable: d, volatile: v, crashed }) {
      const lines = [`accepted: ${d.accepted.map((x, s) => `${s}:${x ?? '-'}`).join(' ') || 'nothing'}`];
      if (d.placed.length > 0) lines.push(`placed: ${d.placed.map((x, s) => `${s}:${x}`).join(' ')}`);
      lines.push(`learned: ${d.learned.map((x, s) => `${s}:${x ?? '-'}`).join(' ') || 'nothing'}`);
      if (!crashed && v.silent) lines.push('the sequencer has been silent');
      return lines;
    },
    summaryLines: ({ durable: d }) => [`log ${prefix(d.learned).join(' ') || '-'}`],
    showRoles: true,
    roleHint: (role) => (role === 'sequencer' ? 'Put each decree a client asks for into the next free slot.' : 'Accept each slot\'s APPEND once: a decree is chosen in a slot when a majority accepts it there.'),
    messages: {
      append: { colour: 'blue', shape: 'circle', short: 'APPEND' },
      ack: { colour: 'orange', shape: 'square', short: 'ACK' },
      commit: { colour: 'green', shape: 'diamond', short: 'COMMIT' },
      beat: { colour: 'grey', shape: 'triangle', short: 'BEAT' },
    },
    slotName: (slot) => `slot ${slot}`,
    reveal: chosenDecreeReveal((who) => `${who} accepted it`),
  },
});
