import { describe, expect, it } from 'vitest';
import { advance, applyScript, playLesson, replayLesson, startLesson } from '../../shared/lessons';
import { logNode, oneVariableThenLog as lesson } from '../../shared/lessons/oneVariableThenLog';
import { applied } from '../../shared/protocols/votelog';
import type { World } from '../../shared/engine/types';
import { logVoter } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const player = logVoter();

/** The tick each node first learned slot `slot` (0-based) in these worlds, or null. */
function learnedTicks(worlds: readonly World[], slot: number): (number | null)[] {
  return worlds[0]!.nodes.map((n) => worlds.find((w) => logNode(w, n.id).durable.learned[slot] != null)?.tick ?? null);
}

describe('lesson 3: one variable, then a log', () => {
  it('reaches every objective in order whatever the bots do: x=2 wins slot 1, x=1 slot 2, and every node applies x=2 then x=1', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, player, botSeed);
      const steps = played.run.objectives.map((o) => o.reached!.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      const worlds = worldsOf(played.round.config, played.round.log);
      const last = worlds[worlds.length - 1]!;
      expect(last.global.chosen.map((c) => [c.slot, c.decree])).toEqual([
        [0, 'x=2'],
        [1, 'x=1'],
      ]);
      for (const node of last.nodes) expect(applied(logNode(last, node.id).durable.learned)).toEqual(['x=2', 'x=1']);
      // The player voted in both slots: x=1 in slot 1, where it lost, and again in slot 2.
      expect(played.round.log).toContainEqual({ type: 'act', node: 0, action: { kind: 'vote', slot: 0, decree: 'x=1' } });
      expect(played.round.log).toContainEqual({ type: 'act', node: 0, action: { kind: 'vote', slot: 1, decree: 'x=1' } });
      // E learned slot 2 before slot 1, and applied nothing until slot 1 came.
      const [first, second] = [learnedTicks(worlds, 0)[4]!, learnedTicks(worlds, 1)[4]!];
      expect(second).toBeLessThan(first);
      const waiting = worlds.find((w) => logNode(w, 4).durable.learned[1] != null)!;
      expect(applied(logNode(waiting, 4).durable.learned)).toEqual([]);
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it("names each slot's commit point as the engine recorded it, and E's wait from the round's own worlds", () => {
    for (const botSeed of [3, 8]) {
      const played = playToEnd(lesson, player, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const chosen = worlds[worlds.length - 1]!.global.chosen;
      const debrief = lesson.debrief(played.round);
      expect(debrief.commitPoint).toMatchObject({ slot: 0, node: chosen[0]!.node, step: chosen[0]!.step, tick: chosen[0]!.tick });
      const lines = linesOf(debrief, 'commit-point');
      expect(lines).toHaveLength(2);
      chosen.forEach((cp, i) => {
        expect(lines[i]).toContain(`Slot ${cp.slot + 1}: ${'ABCDE'[cp.node]}'s vote at tick ${cp.tick} was the commit point: it gave ${cp.decree} 3 of 5 votes`);
      });
      expect(linesOf(debrief, 'outcome')).toEqual(['Slot 1 chose x=2 and slot 2 chose x=1: every node that applied both, in that order, ends with x = 1.']);
      const second = learnedTicks(worlds, 1)[4]!;
      const appliedBoth = worlds.find((w) => applied(logNode(w, 4).durable.learned).length === 2)!.tick;
      expect(linesOf(debrief, 'story')).toContain(`E learned slot 2 at tick ${second}, before slot 1, and it applied slot 2 only at tick ${appliedBoth}, right after slot 1: ${appliedBoth - second} tick${appliedBoth - second === 1 ? '' : 's'} of waiting.`);
      expect(debrief.knew.every((k) => k.tick !== null)).toBe(true);
      expect(debrief.messages.byKind.VOTE).toBe(debrief.messages.total - (debrief.messages.byKind.CANDIDATE ?? 0));
    }
  });

  it('tells what the round would have done without the hold on E, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, player, 5);
    const debrief = lesson.debrief(played.round);
    const at = played.origins.indexOf('script:hold-slot-1-from-e');
    expect(debrief.whatIf!.run.divergedAt).toBe(at);
    const { worlds } = rerunFrom(lesson, played.round, at, null, {}, ['hold-slot-1-from-e']);
    const [first, second] = [learnedTicks(worlds, 0)[4]!, learnedTicks(worlds, 1)[4]!];
    expect(first).toBeLessThan(second);
    const [sentence] = linesOf(debrief, 'what-if');
    expect(sentence).toContain(`would have had E learn slot 1 at tick ${first} and slot 2 at tick ${second}, applying each slot as it learned it`);
  });

  it('shows a hint to a player who does not vote, once they have waited', () => {
    const played = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 8 });
    expect(played.run.current).toBe(0);
    expect(played.run.hints[0]).toContain('Press "Vote for x=1 in slot 1"');
    const early = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 5 });
    expect(early.run.hints).toEqual([]);
  });

  it('ends in a dead end when A crashes before x=1 is in any slot, and not when it crashes after', () => {
    let run = applyScript(startLesson(lesson, { people: [0] })).run;
    run = advance(run, { type: 'crash', node: 0 }).run;
    expect(run.status).toBe('dead-end');
    expect(run.deadEnd!.id).toBe('x1-lost');
    // Once x=1 is voted for in slot 2, it no longer lives in A's memory alone.
    const played = playToEnd(lesson, player, 2);
    const vote2 = played.round.log.findIndex((c) => c.type === 'act' && c.node === 0 && c.action.kind === 'vote' && c.action.slot === 1);
    const upTo = replayLesson(lesson, { ...played.round, log: played.round.log.slice(0, vote2 + 1) }).run;
    const later = advance(upTo, { type: 'crash', node: 0 }).run;
    expect(later.status).not.toBe('dead-end');
  });
});
