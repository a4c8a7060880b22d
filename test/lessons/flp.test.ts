import { describe, expect, it } from 'vitest';
import type { Command, World } from '../../shared/engine/types';
import { advance, applyScript, playLesson, startLesson, type PlayerMoves } from '../../shared/lessons';
import { flp as lesson, WAIT_HOLDS, WAIT_TICKS } from '../../shared/lessons/flp';
import { HOLD_TICKS } from '../../shared/lessons/look';
import type { PaxosDurable } from '../../shared/protocols/paxos';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';
import { timeoutPlayer } from './players';

/** The steps of the log at which A started a ballot. */
const ballotsOfA = (log: readonly Command[]): number[] => log.flatMap((c, i) => (c.type === 'act' && c.node === 0 && c.action.kind === 'prepare' ? [i] : []));

/** The delays in the log, up to `end`: every time the network held a message back. */
const delaysBefore = (log: readonly Command[], end: number): number => log.slice(0, end).filter((c) => c.type === 'delay').length;

describe('lesson 6: FLP, no timeouts', () => {
  it('reaches every objective in order whatever the bots do: a ballot, a wait with no end in sight, a higher ballot, X chosen', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, timeoutPlayer(), botSeed);
      const steps = played.run.objectives.map((o) => o.reached!.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(new Set(steps).size).toBe(steps.length);
      const worlds = worldsOf(played.round.config, played.round.log);
      const final = worlds[worlds.length - 1]!;
      expect(final.global.chosen).toMatchObject([{ decree: 'X' }]);
      // No timer ran in the whole round, and B was never down.
      expect(worlds.every((w) => w.nodes.every((n) => n.timers.length === 0))).toBe(true);
      expect(final.global.downtime).toEqual([{ node: 2, from: 0, to: null }]);
      const [first, second] = ballotsOfA(played.round.log);
      // The network held B's PROMISE back, often enough or long enough for the wait to show.
      const holds = delaysBefore(played.round.log, second!);
      expect(holds).toBeGreaterThanOrEqual(1);
      expect(holds >= WAIT_HOLDS || worlds[second!]!.tick - worlds[first! + 1]!.tick >= WAIT_TICKS).toBe(true);
      // The player's first ballot never got B's promise: it waited with A's own.
      expect((worlds[second!]!.nodes[0]!.volatile as { proposal: { promises: unknown[] } }).proposal.promises).toHaveLength(1);
      expect(first).toBeLessThan(second!);
      expect(played.origins).not.toContain('script:a-is-the-timeout');
    }
  });

  it('reaches its end with bots on every seat, the script being the timeout for the bot at A', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) {
      const played = playLesson(lesson, { botSeed });
      expect(played.run.status).toBe('done');
      expect(played.origins[ballotsOfA(played.round.log)[1]!]).toBe('script:a-is-the-timeout');
    }
  });

  it('leaves a player who only waits waiting, with a hint to be the timeout', () => {
    const waiter: PlayerMoves = (run, view) => (run.current === 0 ? legal(view, 'prepare') : null);
    const played = playLesson(lesson, { player: waiter, botSeed: 1, maxTicks: 120 });
    expect(played.run.status).toBe('playing');
    expect(played.run.objectives.map((o) => o.reached !== null)).toEqual([true, true, false, false]);
    expect(played.run.hints.join(' ')).toContain('This round has no timeouts');
    expect(played.run.world.global.chosen).toEqual([]);
    expect((played.run.world.nodes[0]!.durable as PaxosDurable).maxUsed).toBe(1);
    // The network goes on holding B's PROMISE back: it is in flight still, and was held every few ticks.
    expect(played.run.world.inFlight.some((m) => m.from === 1 && m.to === 0 && m.payload.kind === 'promise')).toBe(true);
    expect(delaysBefore(played.round.log, played.round.log.length)).toBeGreaterThan(100 / HOLD_TICKS - 5);
    expect(played.run.fired.map((f) => f.rule)).toContain('cannot-tell');
  });

  it('reaches the wait in a class too, where a student at B has not answered: the ballot waited long enough', () => {
    let run = applyScript(startLesson(lesson, { people: [0, 1] })).run;
    const act = (command: Command): void => {
      const next = advance(run, command);
      if (!next.ok) throw new Error(next.rejection.message);
      run = applyScript(next.run).run;
    };
    act({ type: 'act', node: 0, action: { kind: 'prepare', ballot: 1 } });
    for (let i = 0; i < WAIT_TICKS - 1; i++) act({ type: 'tick' });
    expect(run.objectives[1]!.reached).toBeNull();
    act({ type: 'tick' });
    expect(run.objectives[1]!.reached).not.toBeNull();
    expect(run.firings['hold-promise']).toBeUndefined();
    expect(run.fired.map((f) => f.rule)).toContain('cannot-tell');
  });

  it('ends at a dead end when a higher ballot wins before the wait, or when B goes down too', () => {
    const impatient: PlayerMoves = (_run, view) => ((view.self.durable as PaxosDurable).maxUsed < 2 ? legal(view, 'prepare') : legal(view, 'propose'));
    for (const botSeed of BOT_SEEDS.slice(0, 4)) {
      const played = playLesson(lesson, { player: impatient, botSeed });
      expect(played.run.status).toBe('dead-end');
      expect(played.run.deadEnd?.id).toBe('won-without-waiting');
    }
    const run = applyScript(startLesson(lesson)).run;
    const crashed = advance(run, { type: 'crash', node: 1 });
    expect(crashed.run.status).toBe('dead-end');
    expect(crashed.run.deadEnd?.id).toBe('b-down');
  });

  it('debriefs the wait, the holds, who was down, and the commit point as the engine recorded them', () => {
    for (const botSeed of [1, 3]) {
      const played = playToEnd(lesson, timeoutPlayer(), botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const chosen = worlds[worlds.length - 1]!.global.chosen[0]!;
      const debrief = lesson.debrief(played.round);
      expect(debrief.commitPoint).toMatchObject({ node: chosen.node, step: chosen.step, tick: chosen.tick });
      expect(linesOf(debrief, 'commit-point')[0]).toContain(`acceptance at tick ${chosen.tick} was the commit point (a bot's move at B)`);
      const [first, second] = ballotsOfA(played.round.log) as [number, number];
      const from = worlds[first + 1]!.tick;
      const to = worlds[second + 1]!.tick;
      const holds = delaysBefore(played.round.log, second);
      expect(linesOf(debrief, 'blocked')).toEqual([
        `Ballot 1.A waited ${to - from} ticks, from tick ${from} to tick ${to}, with 1 of 3 promises: the network held B's PROMISE back ${holds} times, ${HOLD_TICKS} ticks each time. No timer ran, so nothing in the round would have ended the wait.`,
        `At tick ${to} Ada (A) started ballot 2.A: Ada was the timeout.`,
      ]);
      expect(linesOf(debrief, 'story')[0]).toBe(
        'B was never down: its PROMISE was held in the network, not lost with B. C was down from tick 0 to the end of the round. From A, both were only silent: nothing it saw told a slow node from a crashed one.',
      );
      const sent = worlds.length; // every message the engine sent, counted from the worlds' message ids
      expect(debrief.messages.total).toBe(worlds[sent - 1]!.nextMessageId - 1);
    }
  });

  it('tells what the round would have done had no one been the timeout, with and without timeouts, as re-runs of its own show', () => {
    const played = playToEnd(lesson, timeoutPlayer(), 2);
    const retry = ballotsOfA(played.round.log)[1]!;
    const [waiting, timed] = linesOf(lesson.debrief(played.round), 'what-if');
    // Without timeouts: the round up to the retry, then bots, and nothing is ever chosen.
    const still = rerunFrom(lesson, played.round, retry, null, {}, ['a-is-the-timeout']).world;
    expect(still.global.chosen).toEqual([]);
    expect(waiting).toContain(`would have chosen nothing within 600 ticks`);
    // With timeouts on: A's retry timer fires, and a higher ballot gets X chosen.
    const { world, worlds } = rerunFrom(lesson, played.round, retry, null, { noTimeouts: false }, ['a-is-the-timeout']);
    const chosen = world.global.chosen[0]!;
    expect(timed).toContain(`played on by bots from tick ${worlds[0]!.tick}, would have moved again by itself and chosen X at tick ${chosen.tick}.`);
    const fired = firstTimerFiring(worlds);
    expect(fired).not.toBeNull();
    expect(timed).toContain(`A's retry timer (12 ticks) fired at tick ${fired}`);
  });
});

/** The tick at which A's retry timer first fired in a re-run: the first world in which A's ballot is due again after it started one. */
function firstTimerFiring(worlds: readonly World[]): number | null {
  for (let i = 1; i < worlds.length; i++) {
    const before = worlds[i - 1]!.nodes[0]!;
    const after = worlds[i]!.nodes[0]!;
    if (before.timers.some((t) => t.name === 'retry' && t.firesAt === worlds[i]!.tick) && !after.timers.some((t) => t.name === 'retry' && t.firesAt === worlds[i]!.tick)) return worlds[i]!.tick;
  }
  return null;
}
