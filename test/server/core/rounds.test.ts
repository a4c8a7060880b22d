/** A round's life and what each member is sent along the way, on the room core. */
import { describe, expect, it } from 'vitest';
import { createWorld, makeConfig, Replay, MAX_ROUND_COMMANDS, type GodView, type NodeView } from '../../../shared';
import { completeSetup, type RoundSetup } from '../../../server/core/round';
import type { ForkStart } from '../../../server/forkJob';
import { classroom, god, mine, storedRound, tickUntil } from './helpers';

const setupOf = (setup: RoundSetup): Required<RoundSetup> => completeSetup(setup) as Required<RoundSetup>;

describe('views', () => {
  it('a connection starts from a whole view and then gets patches; the god view is always whole', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'paxos', nodes: 3, studentSeats: [0] });
    const ann = host.student('Ann');
    teacher.send('start', {});
    host.advance(2000);
    const annViews = ann.frames.filter((f) => f.type === 'view').map((f) => f.body as { view?: unknown; patch?: unknown });
    expect(annViews[0]).toHaveProperty('view');
    expect(annViews.slice(1).every((f) => f.patch !== undefined && f.view === undefined)).toBe(true);
    expect(annViews.length).toBeGreaterThan(3);
    expect(teacher.frames.filter((f) => f.type === 'view').every((f) => (f.body as { view?: { kind: string } }).view?.kind === 'god')).toBe(true);
    // What Ann assembled (with the clock she was told since) is her node's view of the world the instructor sees.
    expect(Math.max(mine(ann).now, ann.got.clock.at(-1)?.tick ?? 0)).toBe(god(teacher).now);
    expect(mine(ann).self.durable).toEqual(god(teacher).nodes[0]!.durable);
  });

  it('a member for whom only the clock moved gets `clock` instead of a view', () => {
    const host = classroom();
    const teacher = host.instructor();
    // Every seat a student, and none of them moves: after the opening requests, nothing but the clock changes.
    teacher.send('setup', { protocol: 'majority', nodes: 3, decrees: ['X'], latencyMin: 1, latencyMax: 1 });
    const students = ['Ann', 'Ben', 'Cal'].map((name) => host.student(name));
    teacher.send('start', {});
    host.advance(100);
    const before = students.map((s) => s.got.view.length);
    host.advance(1000);
    for (const [i, s] of students.entries()) {
      expect(s.got.view).toHaveLength(before[i]!);
      expect(s.got.clock.at(-1)).toEqual({ tick: 11, phase: 'running' });
    }
    // The instructor's view holds the whole world, whose clock is part of it.
    expect(god(teacher).now).toBe(11);
  });

  it("answers a player's move at once and tells the others at the next tick, dating every event by the tick it happened", () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'majority', nodes: 5, studentSeats: [0, 1, 2], speed: 0.5 });
    const students = ['Ann', 'Ben', 'Cal'].map((name) => host.student(name));
    teacher.send('start', {});
    const moved = new Set<number>();
    tickUntil(host, () => {
      for (const [i, s] of students.entries()) {
        const move = mine(s).legal.find((a) => a.kind === 'vote' || a.kind === 'putForward');
        if (!move || moved.has(i)) continue;
        const heard = teacher.got.view.length;
        const seq = s.act(move);
        moved.add(i);
        // The actor hears at once; the instructor at the next tick.
        expect(s.lastView!.accepted).toBe(seq);
        expect(teacher.got.view).toHaveLength(heard);
      }
      return moved.size === students.length || teacher.got.reveal.length > 0;
    }, 'the students move');
    teacher.send('endRound', {});
    const stored = storedRound(host);
    const replay = new Replay(stored.config, stored.commands);
    const ticks = new Map<string, Set<number>>();
    for (let i = 0; i < stored.commands.length; i++) {
      const tick = replay.worldAt(i + 1).tick;
      for (const e of replay.eventsOf(i)) ticks.set(e.text, (ticks.get(e.text) ?? new Set()).add(tick));
    }
    let late = 0;
    for (const client of [teacher, ...students]) {
      for (const view of client.got.view) {
        for (const e of view.events) {
          expect([...(ticks.get(e.text) ?? [])], `"${e.text}" sent as t${e.tick}`).toContain(e.tick);
          expect(e.tick).toBeLessThanOrEqual(view.view.now);
          if (e.tick < view.view.now) late += 1;
        }
      }
    }
    // Some events did come with a later tick's view: the case the tick is for.
    expect(late).toBeGreaterThan(0);
  });

  it('sends a student only their own node: its state, and the contents of its own messages', () => {
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'paxos', nodes: 5, studentSeats: [0], sandbox: true, latencyMin: 3, latencyMax: 8 });
    const ann = host.student('Ann');
    teacher.send('start', {});
    teacher.send('inject', { command: { type: 'propose', node: 3, decree: 'Z' } });
    host.advance(100 * 60);
    let anonymous = 0;
    for (const { type, message } of ann.all) {
      expect(['welcome', 'view', 'clock', 'roster']).toContain(type);
      if (type !== 'view') continue;
      const view = (message as { view: NodeView }).view;
      expect(view).toMatchObject({ kind: 'node', node: 0 });
      for (const m of view.inFlight) {
        if (m.from === 0 || m.to === 0) continue;
        expect([m.payload, m.label]).toEqual([null, null]);
        anonymous += 1;
      }
    }
    expect(anonymous).toBeGreaterThan(0);
    // A student is never sent the roster, which is for the instructor.
    expect(ann.got.roster).toHaveLength(0);
  });
});

describe("a round's end", () => {
  it('comes by itself when the engine says the round is over, with the reveal for its group and the groups compared for everyone, seated or waiting', () => {
    const host = classroom({ maxGroups: 1 });
    const teacher = host.instructor();
    teacher.send('setup', { protocol: '2pc', nodes: 3, studentSeats: [1], latencyMin: 1, latencyMax: 2 });
    const seated = host.student('Sat');
    const waiting = host.student('Waits');
    teacher.send('autopilot', { node: 1, on: true });
    teacher.send('start', {});
    tickUntil(host, () => teacher.got.reveal.length > 0, 'the reveal');
    const roundId = teacher.lastView!.round.id;
    for (const client of [teacher, seated]) expect(client.got.reveal).toEqual([expect.objectContaining({ roundId, outcome: teacher.got.reveal[0]!.outcome, group: 1 })]);
    expect(waiting.got.reveal).toEqual([]);
    for (const client of [teacher, seated, waiting]) expect(client.got.comparison).toHaveLength(1);
    expect(waiting.got.comparison[0]!.sentences.join(' ')).toContain('Group 1');
    expect(teacher.lastView!.round.phase).toBe('ended');
    expect(host.store.rounds.get(roundId!)!.state).toBe('finished');
    expect(host.timers.has('tick:1')).toBe(false);
    // Someone joining now is shown the reveal at once.
    const late = host.student('Late');
    expect(late.got.comparison).toHaveLength(1);
  });

  it('comes when a round holds as many commands as a round may: a fork that starts three short of it ends after three', () => {
    const host = classroom({ kind: 'solo' });
    const setup = setupOf({ protocol: 'paxos', nodes: 3, studentSeats: [], sandbox: true });
    const config = makeConfig('paxos', 3, 5);
    const fork: ForkStart = { config, world: JSON.stringify(createWorld(config)), commands: new Uint8Array(), step: MAX_ROUND_COMMANDS - 3 };
    const player = host.solo(setup, fork);
    expect(player.got.welcome[0]).toMatchObject({ role: 'instructor', node: null });
    expect((player.lastView!.view as GodView).config.settings.sandbox).toBe(true);
    tickUntil(host, () => player.got.reveal.length > 0, 'the end');
    const stored = storedRound(host);
    expect(stored.first + stored.commands.length).toBe(MAX_ROUND_COMMANDS);
    player.send('endRound', {});
    expect(player.got.rejected.at(-1)!.code).toBe('wrong-phase');
  });
});

describe('idle classes', () => {
  const IDLE_MS = 240 * 60_000;

  it('closes a class nobody has been connected to for the idle time, and retires it', () => {
    const host = classroom();
    host.advance(IDLE_MS - 1);
    expect(host.closed).toBe(false);
    host.advance(1);
    expect(host.closed).toBe(true);
    expect(host.store.closedClasses).toEqual(['ABCDEF']);
  });

  it('times the idleness from the moment the last person leaves, and keeps a running round as finished', () => {
    const host = classroom();
    const teacher = host.instructor();
    const kim = host.student('Kim');
    teacher.send('setup', { protocol: 'paxos', nodes: 3, studentSeats: [], sandbox: true });
    teacher.send('start', {});
    // Paused, it is still under way: the class's closing ends it.
    teacher.send('pause', {});
    const roundId = teacher.lastView!.round.id!;
    teacher.leave();
    host.advance(IDLE_MS * 2);
    expect(host.closed).toBe(false);
    expect(kim.open).toBe(true);
    // A drop counts as gone for this: the window does not keep the class alive.
    kim.drop();
    host.advance(IDLE_MS - 1);
    expect(host.closed).toBe(false);
    host.advance(1);
    expect(host.closed).toBe(true);
    expect(host.store.rounds.get(roundId)!.state).toBe('finished');
    expect(host.store.closedClasses).toEqual(['ABCDEF']);
  });

  it('someone connecting stops the idle timer', () => {
    const host = classroom();
    host.advance(IDLE_MS - 10);
    const teacher = host.instructor();
    host.advance(IDLE_MS);
    expect(host.closed).toBe(false);
    teacher.leave();
    host.advance(IDLE_MS);
    expect(host.closed).toBe(true);
  });

  it('a solo room is not timed: it goes when its player does', () => {
    const host = classroom({ kind: 'solo' });
    host.solo(setupOf({ protocol: 'majority', nodes: 3, studentSeats: [0] }));
    expect(host.timers.has('idle')).toBe(false);
  });
});

describe('a protocol played only in its lesson', () => {
  it('is refused as a class setup or a solo round of its own, and taken from its lesson', () => {
    expect(completeSetup({ protocol: 'machine', nodes: 1 })).toBe('One machine is played in its lesson only: start it from the Learn path');
    expect(completeSetup({ protocol: 'machine', nodes: 1, studentSeats: [0] }, undefined, true)).toMatchObject({ protocol: 'machine', nodes: 1, studentSeats: [0] });
    // Even from its lesson, its round has the nodes the protocol allows.
    expect(completeSetup({ protocol: 'machine', nodes: 3 }, undefined, true)).toBe('nodes must be a whole number from 1 to 1 for One machine');
    const host = classroom();
    const teacher = host.instructor();
    teacher.send('setup', { protocol: 'machine', nodes: 1 });
    expect(teacher.got.rejected.at(-1)).toMatchObject({ code: 'bad-setup', message: 'That setup does not work: One machine is played in its lesson only: start it from the Learn path.' });
    // Nothing changed: the class keeps the round it had.
    expect(god(teacher).config.protocol).toBe('paxos');
  });
});
