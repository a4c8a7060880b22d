/**
 * Multi-Paxos: a stable leader, a change of leader that recovers what was accepted, the two election
 * policies, an old leader cut off in a minority, holes filled with no-ops, a client's retry, each
 * invariant caught when broken, refusals that explain themselves, and the election setting checked.
 */
import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command, World } from '../../shared/engine/types';
import { godView, legalActions, roundStatus } from '../../shared/engine/view';
import { configShapeProblem, createWorld, makeConfig } from '../../shared/engine/world';
import { checkInvariants } from '../../shared/invariants';
import { multipaxos, NOOP, recoverLog, type MpAction, type MpDurable, type MpVolatile } from '../../shared/protocols/multipaxos';
import { configSchema } from '../../shared/wire/commands';
import { roundSetupSchema } from '../../shared/wire/messages';
import { completeSetup, configOf, DEFAULT_SETUP } from '../../server/core/round';
import { runSeed } from '../../shared/sim/swarm';
import { mustStep, worldFrom } from './helpers';

const A = 0;
const B = 1;
const C = 2;
const D = 3;
const E = 4;

const durable = (w: World, id: number) => w.nodes[id]!.durable as MpDurable;
const volatile = (w: World, id: number) => w.nodes[id]!.volatile as MpVolatile;

/** A small driver: every command must be accepted, and every invariant must hold after it. */
class Round {
  world: World;
  constructor(config: string) {
    this.world = worldFrom([config]);
  }
  /** No node knows a leader at the start: the ticks until every leader timer has fired, a whole timeout. */
  untilTimersFire(): this {
    return this.tick(this.world.config.settings.timeoutTicks);
  }
  run(command: Command): this {
    const next = mustStep(this.world, command).world;
    expect(checkInvariants(this.world, next)).toEqual([]);
    this.world = next;
    return this;
  }
  tick(n = 1): this {
    for (let i = 0; i < n; i++) this.run({ type: 'tick' });
    return this;
  }
  /** The node's first legal move of this kind (and passing `extra`). */
  move(node: number, kind: MpAction['kind'], extra: (a: MpAction) => boolean = () => true): this {
    const action = (legalActions(this.world, node) as MpAction[]).find((a) => a.kind === kind && extra(a));
    if (!action) throw new Error(`${'ABCDE'[node]} has no ${kind} move: ${JSON.stringify(legalActions(this.world, node))}`);
    return this.run({ type: 'act', node, action });
  }
  /** Every legal answer of this kind the node has. */
  answerAll(node: number, kind: 'promise' | 'accept' | 'refuse'): this {
    for (;;) {
      const action = legalActions(this.world, node).find((a) => a.kind === kind);
      if (!action) return this;
      this.run({ type: 'act', node, action });
    }
  }
  propose(node: number, decree: string): this {
    return this.run({ type: 'propose', node, decree });
  }
  /** `node` runs for leader and the `voters` promise it; then the heartbeat goes round. */
  elect(node: number, voters: number[]): this {
    this.move(node, 'elect').tick();
    for (const v of voters) this.answerAll(v, 'promise');
    return this.tick(2);
  }
}

describe('Multi-Paxos', () => {
  it('a stable leader commits three decrees in order, and every node applies them', () => {
    const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12').untilTimersFire().elect(A, [B]);
    expect(volatile(r.world, A).lead).not.toBeNull();
    expect([B, C].map((n) => volatile(r.world, n).leader)).toEqual([A, A]);
    r.propose(A, 'X').propose(B, 'Y').propose(C, 'Z').tick(2);
    for (const value of ['X', 'Y', 'Z']) r.move(A, 'propose', (a) => a.kind === 'propose' && a.value === value);
    r.tick().answerAll(B, 'accept').answerAll(C, 'accept').tick(2);
    expect(r.world.global.chosen.map((c) => [c.slot, c.decree])).toEqual([
      [0, 'X'],
      [1, 'Y'],
      [2, 'Z'],
    ]);
    expect(r.world.nodes.map((n) => (n.durable as MpDurable).applied)).toEqual([3, 3, 3]);
    expect(roundStatus(r.world)).toMatchObject({ decided: true, outcome: 'X, Y, Z' });
  });

  it('after the leader crashes, the ranked election runs, and the new leader proposes again the value accepted but not chosen', () => {
    // A leads; Y reaches B alone in slot 2, so nobody knows it chosen, and it is not.
    const r = new Round('config multipaxos nodes=5 latency=1-1 timeout=12').untilTimersFire().elect(A, [B, C]);
    r.propose(A, 'X').propose(A, 'Y');
    r.move(A, 'propose', (a) => a.kind === 'propose' && a.value === 'X').move(A, 'propose', (a) => a.kind === 'propose' && a.value === 'Y');
    const accepts = r.world.inFlight.filter((m) => m.payload.kind === 'accept');
    // Slot 2's ACCEPTs reach B alone.
    for (const m of accepts) if (m.payload.slot === 1 && m.to !== B) r.run({ type: 'drop', id: m.id });
    r.tick().answerAll(B, 'accept').answerAll(C, 'accept').answerAll(D, 'accept').tick();
    expect(r.world.global.chosen.map((c) => [c.slot, c.decree])).toEqual([[0, 'X']]);
    expect(durable(r.world, B).accepted[1]).toEqual({ ballot: { n: 1, node: A }, value: 'Y' });
    r.run({ type: 'crash', node: A });
    // The followers' leader timers fire: B, first in the order after A, may run at once; C waits its turn.
    r.tick(12);
    expect(volatile(r.world, B).electionDue).toBe(true);
    expect(volatile(r.world, C).electionDue).toBe(false);
    expect(r.world.nodes[C]!.timers.map((t) => t.name)).toContain('backoff');
    expect(legalActions(r.world, C).some((a) => a.kind === 'elect')).toBe(false);
    const refused = step(r.world, { type: 'act', node: C, action: { kind: 'elect', ballot: 5 } });
    expect(refused.ok ? null : refused.rejection).toMatchObject({ code: 'no-suspicion', rule: true, message: expect.stringContaining('Your turn has not come') });
    r.elect(B, [C, D]);
    const lead = volatile(r.world, B).lead!;
    expect(lead.recover).toEqual([{ slot: 1, value: 'Y', from: { n: 1, node: A } }]);
    // The new leader must propose Y again in slot 2: another value there is refused, with the reason.
    const other = step(r.world, { type: 'act', node: B, action: { kind: 'propose', slot: 1, value: NOOP } });
    expect(other.ok ? null : other.rejection).toMatchObject({ code: 'must-adopt-value', rule: true, message: expect.stringContaining("may already be chosen there, so you must propose 'Y' again") });
    r.move(B, 'propose').tick().answerAll(C, 'accept').answerAll(D, 'accept').tick(2);
    expect(r.world.global.chosen.map((c) => [c.slot, c.decree])).toEqual([
      [0, 'X'],
      [1, 'Y'],
    ]);
    // C and D did not know slot 1 chosen before: the new leader's heartbeat or CHOSEN tells them, and all apply both.
    r.tick(4);
    expect([B, C, D, E].map((n) => durable(r.world, n).applied)).toEqual([2, 2, 2, 2]);
  });

  it('naive: every node that suspects the leader runs at once, and their ballots pre-empt each other', () => {
    const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12 election=naive').untilTimersFire();
    // Once their leader timers fire, a whole timeout after the start, every node suspects there is no leader, and may run.
    expect([A, B, C].map((n) => volatile(r.world, n).electionDue)).toEqual([true, true, true]);
    r.move(A, 'elect').move(B, 'elect').tick();
    // C promises A's ballot 1.A, then B's higher 1.B: A's run is pre-empted.
    r.answerAll(C, 'promise');
    expect(durable(r.world, C).promised).toEqual({ n: 1, node: B });
    // A holds B's PREPARE 1.B, above its own promise: promising it ends A's own run.
    r.answerAll(A, 'promise').tick();
    expect(volatile(r.world, A).campaign).toBeNull();
    expect(volatile(r.world, B).lead?.ballot).toEqual({ n: 1, node: B });
    // B's PREPARE reached A first and A promised it; A's own PREPARE 1.A is below B's promise: B refuses it.
    const refuse = legalActions(r.world, B).find((a) => a.kind === 'refuse');
    expect(refuse).toMatchObject({ what: 'PREPARE 1.A (you promised 1.B)' });
    // B crashes: naive, A and C both suspect it and both may run at once, and duel again; ranked, only A would.
    r.run({ type: 'crash', node: B }).tick(14);
    expect([A, C].map((n) => volatile(r.world, n).electionDue)).toEqual([true, true]);
    r.move(A, 'elect').move(C, 'elect').tick();
    expect(legalActions(r.world, A).find((a) => a.kind === 'promise')).toMatchObject({ what: '2.C' });
    expect(legalActions(r.world, C).find((a) => a.kind === 'refuse')).toMatchObject({ what: 'PREPARE 2.A (you promised 2.C)' });
  });

  it('an old leader cut off in a minority cannot commit: its ACCEPTs meet higher promises, and are refused', () => {
    const r = new Round('config multipaxos nodes=5 latency=1-1 timeout=12').untilTimersFire().elect(A, [B, C]);
    r.run({ type: 'partition', groups: [[A, B], [C, D, E]] });
    // C, D and E hear no heartbeat: C runs first (A is suspected, B has had its turn), and wins the majority side.
    r.tick(30);
    expect(volatile(r.world, C).electionDue).toBe(true);
    expect(volatile(r.world, D).electionDue).toBe(false);
    r.elect(C, [D, E]);
    expect(volatile(r.world, C).lead?.ballot.n).toBe(2);
    // The old leader still believes it leads, and puts X in slot 1. The network heals while its ACCEPTs are on the way.
    r.propose(A, 'X').move(A, 'propose').run({ type: 'heal' }).tick();
    // They reach nodes that promised ballot 2.C: each may only refuse.
    for (const n of [C, D, E]) {
      expect(legalActions(r.world, n).filter((a) => a.kind === 'accept')).toEqual([]);
      expect(legalActions(r.world, n).find((a) => a.kind === 'refuse')).toMatchObject({ what: 'ACCEPT 1.A (you promised 2.C)' });
    }
    const accept = r.world.nodes[D]!.inbox.find((m) => m.payload.kind === 'accept' && m.from === A)!;
    const refused = step(r.world, { type: 'act', node: D, action: { kind: 'accept', msg: accept.id } });
    expect(refused.ok ? null : refused.rejection).toMatchObject({ code: 'promised-higher', message: expect.stringContaining('You promised ballot 2.C to C') });
    // B, on the old leader's side, accepts: two acceptances of five are no majority.
    r.answerAll(B, 'accept');
    for (const n of [C, D, E]) r.answerAll(n, 'refuse');
    r.tick(2);
    expect(volatile(r.world, A).lead).toBeNull();
    expect(r.world.global.chosen).toEqual([]);
  });

  it('fills a hole below the highest slot with a no-op', () => {
    // A puts X in slot 1 and Y in slot 2; slot 1's ACCEPTs are lost, slot 2's reach C. Then A crashes.
    const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12').untilTimersFire().elect(A, [B]);
    r.propose(A, 'X').propose(A, 'Y').move(A, 'propose').move(A, 'propose');
    for (const m of r.world.inFlight) if (m.payload.kind === 'accept' && (m.payload.slot === 0 || m.to === B)) r.run({ type: 'drop', id: m.id });
    r.tick().answerAll(C, 'accept').run({ type: 'crash', node: A }).tick(12);
    r.elect(B, [C]);
    // A's own acceptance of X is on A's disk, beyond the majority B and C: slot 1 is a hole to them.
    expect(volatile(r.world, B).lead!.recover).toEqual([
      { slot: 0, value: NOOP, from: null },
      { slot: 1, value: 'Y', from: { n: 1, node: A } },
    ]);
    const refused = step(r.world, { type: 'act', node: B, action: { kind: 'propose', slot: 0, value: 'X' } });
    expect(refused.ok ? null : refused.rejection).toMatchObject({ code: 'hole-takes-noop', rule: false, message: expect.stringContaining('fill it with a no-op') });
    expect(legalActions(r.world, B)).toContainEqual({ kind: 'propose', slot: 0, value: NOOP });
    r.move(B, 'propose').move(B, 'propose').tick().answerAll(C, 'accept').tick(2);
    expect(r.world.global.chosen.map((c) => [c.slot, c.decree]).sort()).toEqual([
      [0, NOOP],
      [1, 'Y'],
    ]);
    // X was never chosen; its client asks again, and it goes in the next free slot.
    r.propose(B, 'X').move(B, 'propose').tick().answerAll(C, 'accept').tick(2);
    expect(roundStatus(r.world).outcome).toBe(`${NOOP}, Y, X`);
  });

  it("a client's request retried through a second node is chosen once", () => {
    const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12').untilTimersFire().elect(A, [B]);
    r.propose(B, 'X').tick(2);
    r.move(A, 'propose').tick().answerAll(B, 'accept').tick(2);
    expect(r.world.global.chosen.map((c) => c.decree)).toEqual(['X']);
    // The client did not hear back and asks C: C sends it on, and the leader finds it in its log already.
    r.propose(C, 'X').tick(2);
    expect(volatile(r.world, A).lead!.queue).toEqual([]);
    expect(legalActions(r.world, A).some((a) => a.kind === 'propose')).toBe(false);
    const again = step(r.world, { type: 'act', node: A, action: { kind: 'propose', slot: 1, value: 'X' } });
    expect(again.ok ? null : again.rejection).toMatchObject({ code: 'already-in-log', rule: true, message: expect.stringContaining('never puts one request in two slots') });
  });

  it('keeps one request in one slot after a change of leader: the higher ballot keeps it, the other slot gets a no-op', () => {
    const d: MpDurable = { promised: null, accepted: [], chosen: [], applied: 0, maxUsed: 0 };
    const b = (n: number, node: number) => ({ n, node });
    const { recover, next, ids } = recoverLog(d, [
      { from: 0, accepted: [{ ballot: b(1, 0), value: 'X' }, null, null] },
      { from: 1, accepted: [null, { ballot: b(2, 1), value: 'Y' }, { ballot: b(2, 1), value: 'X' }] },
      { from: 2, accepted: [{ ballot: b(1, 0), value: 'X' }] },
    ]);
    expect(recover).toEqual([
      { slot: 0, value: NOOP, from: null },
      { slot: 1, value: 'Y', from: b(2, 1) },
      { slot: 2, value: 'X', from: b(2, 1) },
    ]);
    expect(next).toBe(3);
    expect(ids.sort()).toEqual(['X', 'Y']);
    // A slot the leader knows chosen keeps its request: the same request elsewhere gets a no-op.
    const known = recoverLog({ ...d, chosen: ['X'], applied: 1 }, [{ from: 1, accepted: [null, { ballot: b(3, 1), value: 'X' }] }]);
    expect(known.recover).toEqual([{ slot: 1, value: NOOP, from: null }]);
  });

  it("the reveal names as knowing the outcome only the nodes that applied the whole log, not a leader that crashed after slot 1", () => {
    const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12').untilTimersFire().elect(A, [B]);
    r.propose(A, 'X').move(A, 'propose').tick().answerAll(B, 'accept').answerAll(C, 'accept').tick(2);
    expect(r.world.nodes.map((n) => durable(r.world, n.id).applied)).toEqual([1, 1, 1]);
    r.run({ type: 'crash', node: A }).tick(14).elect(B, [C]);
    r.propose(B, 'Y').move(B, 'propose').tick().answerAll(C, 'accept').tick(2);
    expect(roundStatus(r.world).outcome).toBe('X, Y');
    const god = godView(r.world);
    const named = god.nodes.map((n) => ({ ...n, name: 'ABC'[n.id]! }));
    expect(multipaxos.present.reveal.learnedLine(named as never, god.global as never)).toBe('Nodes that applied the whole log, X, Y: B, C.');
    expect(god.nodes.map((n) => multipaxos.knowsOutcome(n as never, 'X, Y'))).toEqual([false, true, true]);
  });

  it('shows each log as a strip of slots, with the leader each node believes in', () => {
    const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12').untilTimersFire().elect(A, [B]);
    r.propose(A, 'X').propose(A, 'Y').move(A, 'propose').move(A, 'propose').tick().answerAll(B, 'accept');
    const god = godView(r.world);
    const cells = multipaxos.present.log!.cells(god.nodes[B]! as never);
    expect(cells).toEqual([
      { slot: 0, state: 'accepted', value: 'X', mark: '1.A', tone: 1 },
      { slot: 1, state: 'accepted', value: 'Y', mark: '1.A', tone: 1 },
    ]);
    r.tick(2);
    const after = godView(r.world);
    expect(multipaxos.present.log!.cells(after.nodes[A]! as never).map((c) => c.state)).toEqual(['applied', 'applied']);
    expect(after.nodes.map((n) => multipaxos.present.log!.leader(n as never))).toEqual([A, A, A]);
    expect(multipaxos.label({ kind: 'accept', ballot: { n: 4, node: B }, slot: 2, value: 'X' })).toBe("ACCEPT 4.B slot 3 'X'");
    expect(multipaxos.label({ kind: 'heartbeat', ballot: { n: 4, node: B }, log: [] })).toBe('HEARTBEAT 4.B');
    expect(multipaxos.actionLabel({ kind: 'propose', slot: 2, value: 'X' })).toBe("Put 'X' in slot 3");
    // Naive: C may still run, before A's heartbeat reaches it; B accepted X under 1.A by then.
    const naive = ['config multipaxos nodes=3 latency=1-1 timeout=12 election=naive', 'tick 12', 'act A elect ballot=1', 'tick', 'act B promise msg=1', 'tick', 'propose A X', 'act A propose slot=0 value=X', 'act C elect ballot=4', 'tick', 'act B accept msg=6'];
    const promise = legalActions(worldFrom(naive), B).find((a) => a.kind === 'promise')!;
    expect(multipaxos.actionLabel(promise)).toBe("Promise ballot 4.C (you accepted 'X' in slot 1)");
  });

  describe('invariants', () => {
    const decided = () => new Round('config multipaxos nodes=3 latency=1-1 timeout=12').untilTimersFire().elect(A, [B]).propose(A, 'X').propose(A, 'Y').move(A, 'propose').move(A, 'propose').tick().answerAll(B, 'accept').tick(2).world;
    const withNode = (w: World, id: number, d: Partial<MpDurable>): World => ({ ...w, nodes: w.nodes.map((n) => (n.id === id ? { ...n, durable: { ...(n.durable as MpDurable), ...d } } : n)) });

    it('catch a second value chosen in a slot, from a sandbox leader that put two values there', () => {
      const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12 sandbox').untilTimersFire().elect(A, [B]);
      r.propose(A, 'X').move(A, 'propose').tick().answerAll(B, 'accept');
      const second = step(r.world, { type: 'act', node: A, action: { kind: 'propose', slot: 0, value: NOOP } });
      expect(second.ok).toBe(true);
      if (!second.ok) return;
      expect(second.world.global.violations.map((v) => v.code)).toEqual(['slot-taken']);
      let w = second.world;
      w = mustStep(w, { type: 'tick' }).world;
      const accept = legalActions(w, C).find((a) => a.kind === 'accept' && String(a.what).includes('no-op'))!;
      w = mustStep(w, { type: 'act', node: C, action: accept }).world;
      expect(checkInvariants(null, w).map((b) => b.code)).toContain('agreement');
    });

    it('catch a request chosen in two slots, from a sandbox leader that put it in twice', () => {
      const r = new Round('config multipaxos nodes=3 latency=1-1 timeout=12 sandbox').untilTimersFire().elect(A, [B]);
      r.propose(A, 'X').move(A, 'propose');
      const twice = mustStep(r.world, { type: 'act', node: A, action: { kind: 'propose', slot: 1, value: 'X' } }).world;
      expect(twice.global.violations.map((v) => v.code)).toEqual(['already-in-log']);
      let w = mustStep(twice, { type: 'tick' }).world;
      for (const a of legalActions(w, B).filter((x) => x.kind === 'accept')) w = mustStep(w, { type: 'act', node: B, action: a }).world;
      expect(checkInvariants(null, w)).toContainEqual({ code: 'chosen-twice', message: "'X' is chosen in slot 1 and again in slot 2: every node would apply it twice." });
    });

    it('catch a value chosen that no client asked for (a no-op is allowed)', () => {
      const w = decided();
      const forged = { ...w, global: { ...w.global, chosen: [...w.global.chosen, { ...w.global.chosen[0]!, slot: 2, decree: 'Q' }, { ...w.global.chosen[0]!, slot: 3, decree: NOOP }] } };
      expect(checkInvariants(w, forged).map((b) => b.code)).toEqual(['validity']);
    });

    it('catch a node that learned or applied another value than the one chosen', () => {
      const w = decided();
      expect(checkInvariants(w, withNode(w, C, { chosen: ['X', 'Z'], applied: 2 })).map((b) => b.code)).toEqual(expect.arrayContaining(['learned-not-chosen', 'applied-differ']));
    });

    it('catch a node that applied a slot it does not know chosen', () => {
      const w = decided();
      expect(checkInvariants(w, withNode(w, C, { chosen: ['X'], applied: 2 })).map((b) => b.code)).toEqual(['applied-unknown']);
    });

    it("catch a node's promise going down", () => {
      const w = decided();
      expect(checkInvariants(w, withNode(w, B, { promised: null }))).toEqual([{ code: 'promise-lowered', message: 'B had promised ballot 1.A, and now holds no promise: a lower ballot could win it again.' }]);
    });
  });

  describe('refusals', () => {
    const fresh = 'config multipaxos nodes=3 latency=1-1 timeout=12';
    // Every leader timer has fired: A's turn has come.
    const due = [fresh, 'tick 12'];
    const refused = (lines: string[], node: number, action: object) => {
      const r = step(worldFrom(lines), { type: 'act', node, action: action as MpAction });
      if (r.ok) throw new Error('accepted');
      return r.rejection;
    };

    it('explain the rule, and why it exists', () => {
      expect(refused([fresh], A, { kind: 'propose', slot: 0, value: 'X' })).toMatchObject({ code: 'not-leader', message: expect.stringContaining('won phase 1') });
      expect(refused([...due, 'act A elect ballot=1'], A, { kind: 'elect', ballot: 1 })).toMatchObject({ code: 'ballot-not-new', message: expect.stringContaining('no two runs ever share one') });
      const leading = [...due, 'act A elect ballot=1', 'tick', 'act B promise msg=1', 'tick 2'];
      expect(refused([...leading, 'propose A X'], A, { kind: 'propose', slot: 3, value: 'X' })).toMatchObject({ code: 'slot-ahead', message: expect.stringContaining('next free slot is slot 1') });
      expect(refused(leading, A, { kind: 'propose', slot: 0, value: 'Q' })).toMatchObject({ code: 'not-requested', message: expect.stringContaining("No client asked for 'Q'") });
      expect(refused(leading, B, { kind: 'elect', ballot: 9 })).toMatchObject({ code: 'no-suspicion', message: expect.stringContaining("A's heartbeats still arrive") });
      expect(refused(leading, A, { kind: 'elect', ballot: 9 })).toMatchObject({ code: 'already-leading' });
      expect(refused([...due, 'act A elect ballot=1', 'tick'], B, { kind: 'promise', msg: 1, what: '7.C' })).toMatchObject({ code: 'stale-move', message: expect.stringContaining('1.A') });
      expect(refused([...due, 'act A elect ballot=1', 'tick'], B, { kind: 'refuse', msg: 1 })).toMatchObject({ code: 'nothing-to-refuse', rule: true });
    });
  });

  describe('the election setting', () => {
    it('is refused unless naive or ranked, by the engine, the wire and the setup; a round of another protocol carries none', () => {
      const config = makeConfig('multipaxos', 3, 1);
      const bad = { ...config, settings: { ...config.settings, election: 'fast' } } as never;
      expect(configShapeProblem(bad)).toMatch(/^election must be "naive" or "ranked"/);
      expect(() => createWorld(bad)).toThrow(/election/);
      expect(() => configSchema.parse(bad)).toThrow(/election/);
      expect(() => roundSetupSchema.parse({ protocol: 'multipaxos', nodes: 3, election: 'fast' })).toThrow(/election/);
      const naive = completeSetup({ protocol: 'multipaxos', nodes: 3, election: 'naive' }, DEFAULT_SETUP);
      if (typeof naive !== 'object') throw new Error(naive);
      expect(configOf(naive, 1).settings.election).toBe('naive');
      const paxos = completeSetup({ protocol: 'paxos', nodes: 3, election: 'naive' }, DEFAULT_SETUP);
      if (typeof paxos !== 'object') throw new Error(paxos);
      expect('election' in configOf(paxos, 1).settings).toBe(false);
      expect(() => worldFrom(['config multipaxos election=fast'])).toThrow(/naive or ranked/);
    });

    it('at the start no node may run until its leader timer fires, a whole timeout, under either policy', () => {
      for (const election of ['ranked', 'naive']) {
        const w = worldFrom([`config multipaxos nodes=4 latency=1-1 timeout=10 election=${election}`]);
        expect(w.nodes.map((n) => (n.volatile as MpVolatile).electionDue)).toEqual([false, false, false, false]);
        expect(w.nodes.map((n) => n.timers.map((t) => `${t.name} ${t.firesAt}`))).toEqual([['leader 10'], ['leader 10'], ['leader 10'], ['leader 10']]);
        for (const id of [A, B, C, D]) expect(legalActions(w, id).some((a) => a.kind === 'elect')).toBe(false);
        const early = step(w, { type: 'act', node: A, action: { kind: 'elect', ballot: 1 } });
        expect(early.ok ? null : early.rejection).toMatchObject({ code: 'no-suspicion', message: expect.stringContaining('Your leader timer has not fired') });
        // One tick before the timeout nothing has changed; at the timeout every node suspects there is no leader.
        expect(worldFrom([`config multipaxos nodes=4 latency=1-1 timeout=10 election=${election}`, 'tick 9']).nodes.some((n) => (n.volatile as MpVolatile).electionDue)).toBe(false);
      }
    });

    it('ranked: once the leader timers fire, only the first node may run; the others wait their turn', () => {
      const w = worldFrom(['config multipaxos nodes=4 latency=1-1 timeout=10', 'tick 10']);
      expect(w.nodes.map((n) => (n.volatile as MpVolatile).electionDue)).toEqual([true, false, false, false]);
      expect(w.nodes.map((n) => n.timers.find((t) => t.name === 'backoff')?.firesAt ?? null)).toEqual([null, 20, 30, 40]);
    });

    it('naive: once the leader timers fire, every node may run at once', () => {
      const w = worldFrom(['config multipaxos nodes=4 latency=1-1 timeout=10 election=naive', 'tick 10']);
      expect(w.nodes.map((n) => (n.volatile as MpVolatile).electionDue)).toEqual([true, true, true, true]);
      expect([A, B, C, D].map((id) => legalActions(w, id).some((a) => a.kind === 'elect'))).toEqual([true, true, true, true]);
    });

    it('without timeouts no timer runs, and a node that knows no leader may run from the start', () => {
      const w = worldFrom(['config multipaxos nodes=3 latency=1-1 no-timeouts']);
      expect(w.nodes.map((n) => n.timers)).toEqual([[], [], []]);
      expect([A, B, C].map((id) => legalActions(w, id).some((a) => a.kind === 'elect'))).toEqual([true, true, true]);
    });
  });

  // Both policies, a few hundred seeds for each cluster size from 3 to 9, with faults: no invariant breaks, and every round decides.
  for (const election of ['ranked', 'naive'] as const) {
    it(`swarm, ${election} election: 300 seeds per N = 3..9 with faults keep every invariant and decide`, () => {
      const failures: string[] = [];
      let decided = 0;
      for (let nodes = 3; nodes <= 9; nodes++) {
        for (let seed = 0; seed < 300; seed++) {
          const run = runSeed({ protocol: 'multipaxos', nodes, seed: 50_000 + seed, faults: true, settings: { election } });
          if (run.decided) decided += 1;
          for (const f of run.failures) failures.push(`N=${nodes} seed ${50_000 + seed}: ${f.code}: ${f.message}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
      expect(decided).toBe(7 * 300);
    }, 300_000);
  }
});
