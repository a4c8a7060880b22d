import { describe, expect, it } from 'vitest';
import {
  BOT_KINDS,
  botDecide,
  createWorld,
  legalActions,
  legalInView,
  makeConfig,
  Rng,
  ruleBreakingActions,
  ruleBreakingInView,
  sentViewOf,
  step,
  viewOf,
  type Command,
  type ProtocolName,
  type SentNodeView,
  type World,
} from '../../shared';
import { protocolFor, protocolNames } from '../../shared/protocols';
import type { ViewFrame } from '../../shared/wire/messages';
import { nodesFor } from './helpers';
import { applyListPatch, applyNodePatch, applyObjectPatch, diffList, diffNodeView, diffNodeViewBetween, diffObject, sameValue, ViewAssembler } from '../../shared/wire/viewPatch';

/** A busy round: bots of every kind acting, ticks, new requests, and an instructor crashing nodes and meddling with messages. */
function* busyRound(protocol: ProtocolName, seed: number, steps: number, botMoves = 48, sandbox = false): Generator<World> {
  const rng = Rng.fromSeed(seed);
  const nodes = nodesFor(protocol, 5);
  // Multi-Paxos waits a whole timeout before its first election: a short one (a round trip and a
  // half), so that leaders are elected, suspected and elected again within the round.
  const timeout = protocol === 'multipaxos' ? { timeoutTicks: 12 } : {};
  const config = makeConfig(protocol, nodes, seed, { latencyMin: 1, latencyMax: 4, ...timeout, sandbox, gossip: false, decrees: ['X', 'Y'] });
  let world = createWorld(config);
  const apply = (command: Command | null): void => {
    if (!command) return;
    const result = step(world, command);
    if (result.ok) world = result.world;
  };
  for (const request of protocolFor(protocol).clients.openingRequests(config.settings.decrees, config, rng)) apply({ type: 'propose', ...request });
  for (let i = 0; i < steps; i++) {
    const roll = rng.int(0, 99);
    const message = world.inFlight[rng.int(0, Math.max(0, world.inFlight.length - 1))];
    if (roll < 30) apply({ type: 'tick' });
    else if (sandbox && roll < 40) {
      // A player breaks a rule.
      const node = rng.int(0, nodes - 1);
      const move = rng.pick(ruleBreakingActions(world, node));
      if (move) apply({ type: 'act', node, action: move.action });
    } else if (roll < 30 + botMoves) apply(botDecide(BOT_KINDS[rng.int(0, BOT_KINDS.length - 1)]!, viewOf(world, rng.int(0, nodes - 1)), rng, false));
    else if (roll < 78) {
      // Fewer bot moves: messages wait in inboxes, and nodes have several moves to choose from.
    } else if (roll < 80) apply({ type: 'propose', node: rng.int(0, nodes - 1), decree: rng.chance(0.5) ? 'X' : 'Y' });
    else if (roll < 94) {
      // The instructor meddles with a message in flight, when there is one.
      if (message && roll < 84) apply({ type: 'delay', id: message.id, ticks: rng.int(1, 3) });
      else if (message && roll < 88) apply({ type: 'duplicate', id: message.id });
      else if (message && roll < 91) apply({ type: 'drop', id: message.id });
      else if (message) apply({ type: 'deliver', id: message.id });
    } else if (roll < 96) apply({ type: 'crash', node: rng.int(0, nodes - 1) });
    else apply({ type: 'recover', node: rng.int(0, nodes - 1) });
    yield world;
  }
}

describe('view patches', () => {
  for (const protocol of protocolNames()) {
    it(`rebuild every node's view exactly, step after step, in a busy ${protocol} round`, () => {
      let patches = 0;
      let smaller = 0;
      let inboxChanges = 0;
      let inboxes = 0;
      for (const seed of [1, 2, 3]) {
        let last: SentNodeView[] | null = null;
        for (const world of busyRound(protocol, seed, 300)) {
          if (world.nodes.some((n) => n.inbox.length > 0)) inboxes += 1;
          const views = world.nodes.map((n) => sentViewOf(world, n.id));
          if (last) {
            for (const [i, view] of views.entries()) {
              const patch = diffNodeView(last[i]!, view);
              expect(applyNodePatch(last[i]!, patch)).toEqual(view);
              patches += 1;
              if (patch.inbox) inboxChanges += 1;
              if (JSON.stringify(patch).length < JSON.stringify(view).length / 2) smaller += 1;
            }
          }
          last = views;
        }
      }
      expect(patches).toBe(3 * 299 * nodesFor(protocol, 5));
      // The point of patching: most updates are well under half a whole view.
      expect(smaller / patches).toBeGreaterThan(0.8);
      // Answering one message of several, or receiving one, sends that change rather than the inbox.
      // (Some protocols' nodes answer their inbox all at once, so some rounds seldom hold one.)
      if (inboxes > 0) expect(inboxChanges).toBeGreaterThan(0);
    });
  }

  for (const protocol of protocolNames()) {
    it(`work out the same ${protocol} patch from two worlds as from the two views`, () => {
      let compared = 0;
      for (const seed of [7, 8]) {
        const worlds = [...busyRound(protocol, seed, 200)];
        // A client's last view may be several steps old (a tick, then the moves of its batch).
        for (const gap of [1, 2, 5]) {
          for (let k = gap; k < worlds.length; k++) {
            const prev = worlds[k - gap]!;
            const next = worlds[k]!;
            for (const node of next.nodes) {
              const patch = diffNodeViewBetween(prev, next, node.id);
              expect(patch).toEqual(diffNodeView(sentViewOf(prev, node.id), sentViewOf(next, node.id)));
              expect(applyNodePatch(sentViewOf(prev, node.id), patch)).toEqual(sentViewOf(next, node.id));
              compared += 1;
            }
          }
        }
      }
      expect(compared).toBe(2 * nodesFor(protocol, 5) * (199 + 198 + 195));
    });
  }

  it('names only what changed', () => {
    const world = [1, 2, 3].flatMap((seed) => [...busyRound('paxos', seed, 100)]).find((w) => w.inFlight.length > 1)!;
    const before = sentViewOf(world, 2);
    // Nothing changed: nothing to send, not even empty parts.
    expect(diffNodeView(before, before)).toEqual({});
    expect(before.inFlight.length).toBeGreaterThan(0);
    const later = { ...before, now: before.now + 1, inFlight: before.inFlight.slice(1) };
    expect(diffNodeView(before, later)).toEqual({ set: { now: before.now + 1 }, drop: [before.inFlight[0]!.id] });
  });

  it('sends a list as runs of the previous one and new items', () => {
    const a = { kind: 'promise', msg: 1 };
    const b = { kind: 'ignore', msg: 1 };
    const c = { kind: 'promise', msg: 2 };
    const d = { kind: 'ignore', msg: 2 };
    const e = { kind: 'prepare', ballot: 3 };
    const f = { kind: 'prepare', ballot: 4 };
    const prev = [a, b, c, d, e];
    // An answered message leaves the front; a new ballot replaces the last item.
    const next = [{ ...c }, { ...d }, f];
    expect(diffList(prev, next)).toEqual([[2, 4], f]);
    expect(diffList(prev, prev.map((x) => ({ ...x })))).toBeNull();
    expect(diffList(prev, [])).toEqual([]);
    expect(diffList([], next)).toEqual(next);
    // Order is kept: an item that moved back is sent again.
    const moved = [e, a, b];
    expect(applyListPatch(prev, diffList(prev, moved)!)).toEqual(moved);
    expect(diffList(prev, moved)).toEqual([[4, 5], a, b]);
    for (const list of [next, moved, [], [a, a, a], [e, d, c, b, a], [b, d, f]]) {
      expect(applyListPatch(prev, diffList(prev, list) ?? [[0, prev.length]])).toEqual(list);
    }
  });

  it('sends an object as the fields that changed, nested objects field by field', () => {
    const prev = { id: 1, durable: { promised: { n: 2, node: 0 }, maxUsed: 1 }, volatile: { seen: [1, 2] }, learned: null };
    const next = { id: 1, durable: { promised: { n: 3, node: 0 }, maxUsed: 1 }, volatile: { seen: [1, 2, 3] }, crashed: true };
    const patch = diffObject(prev, next)!;
    expect(patch).toEqual({
      set: { crashed: true },
      merge: { durable: { merge: { promised: { set: { n: 3 } } } }, volatile: { set: { seen: [1, 2, 3] } } },
      drop: ['learned'],
    });
    expect(applyObjectPatch(prev, patch)).toEqual(next);
    expect(diffObject(prev, structuredClone(prev))).toBeNull();
    // An object that becomes null, or null that becomes an object, is replaced whole.
    const cleared = { ...next, durable: { ...next.durable, promised: null } };
    expect(diffObject(next, cleared)).toEqual({ merge: { durable: { set: { promised: null } } } });
    expect(applyObjectPatch(cleared, diffObject(cleared, next)!)).toEqual(next);
  });

  it('compares values by structure', () => {
    expect(sameValue({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameValue({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });

  it('an assembler needs a whole view before it can apply a patch', () => {
    const world = [...busyRound('majority', 4, 10)].at(-1)!;
    const view = sentViewOf(world, 1);
    const frame = (v: Partial<ViewFrame>): ViewFrame =>
      ({ round: { id: null, phase: 'running', protocol: 'majority', nodes: 5, speed: 1, tick: 0, sandbox: false }, events: [], lastSeq: 0, ...v }) as ViewFrame;
    const assembler = new ViewAssembler();
    expect(() => assembler.accept(frame({ patch: { set: {}, add: [], drop: [] } }))).toThrow(/before any node view/);
    expect(assembler.accept(frame({ view })).view).toEqual(viewOf(world, 1));
    const next = { ...view, now: view.now + 3 };
    expect(assembler.accept(frame({ patch: diffNodeView(view, next), accepted: 4 }))).toMatchObject({ view: { ...next, legal: viewOf(world, 1).legal }, accepted: 4 });
    // A frame without round information (only the tick moved) keeps the last one, at the view's tick; no events is none.
    const later = { ...next, now: next.now + 1 };
    const bare = assembler.accept({ patch: diffNodeView(next, later), lastSeq: 4 });
    expect(bare.round).toEqual({ id: null, phase: 'running', protocol: 'majority', nodes: 5, speed: 1, tick: later.now, sandbox: false });
    expect(bare.events).toEqual([]);
    expect(() => new ViewAssembler().accept({ view, lastSeq: 0 })).toThrow(/before any round information/);
  });

  // Every registered protocol: a client's buttons come from the same rules as the server's.
  for (const protocol of protocolNames()) {
    it(`lets a ${protocol} client work out exactly the rule-breaking moves of a sandbox round, from its view alone`, () => {
      let offered = 0;
      for (const seed of [5, 6]) {
        for (const world of busyRound(protocol, seed, 250, 30, true)) {
          for (const node of world.nodes) {
            const moves = ruleBreakingActions(world, node.id);
            expect(ruleBreakingInView(sentViewOf(world, node.id))).toEqual(moves);
            offered += moves.length;
          }
        }
      }
      expect(offered).toBeGreaterThan(200);
    });

    it(`lets a ${protocol} client work out exactly the legal moves the server would, from its view alone`, () => {
      let checked = 0;
      let choices = 0;
      let most = 0;
      for (const seed of [5, 6]) {
        const assemblers = new Map<number, ViewAssembler>();
        const sent = new Map<number, SentNodeView>();
        for (const world of busyRound(protocol, seed, 250, 12)) {
          for (const node of world.nodes) {
            const view = sentViewOf(world, node.id);
            expect(legalInView(view)).toEqual(legalActions(world, node.id));
            // And through the wire: whole view first, then patches.
            const assembler = assemblers.get(node.id) ?? new ViewAssembler();
            assemblers.set(node.id, assembler);
            const previous = sent.get(node.id);
            const round = { id: null, phase: 'running' as const, protocol, nodes: nodesFor(protocol, 5), speed: 1, tick: world.tick, sandbox: false };
            const frame: ViewFrame = previous ? { round, patch: diffNodeView(previous, view), events: [], lastSeq: 0 } : { round, view, events: [], lastSeq: 0 };
            sent.set(node.id, view);
            expect(assembler.accept(frame).view).toEqual(viewOf(world, node.id));
            checked += 1;
            if (legalActions(world, node.id).length > 1) choices += 1;
            most = Math.max(most, legalActions(world, node.id).length);
          }
        }
      }
      expect(checked).toBe(2 * 250 * nodesFor(protocol, 5));
      // Many views offer a real choice (and some several), so this is not a comparison of empty lists: a fifth of them per node.
      expect(choices).toBeGreaterThan(100 * (nodesFor(protocol, 5) / 5));
      expect(most).toBeGreaterThan(1);
    });
  }
});
