import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';
import {
  LESSONS,
  applyScript,
  lessonConfig,
  narrative,
  observe,
  observeRefusal,
  playLesson,
  replayLesson,
  scriptWants,
  startLesson,
  type Lesson,
  type LessonRun,
} from '../../shared/lessons';
import { PLAYERS } from './players';
import { legal, playToEnd } from './helpers';

describe('the lesson runner', () => {
  it('has a player for every playable lesson', () => {
    expect(Object.keys(PLAYERS).sort()).toEqual(LESSONS.map((l) => l.id).sort());
  });

  it('plays the same lesson to the same round every time', () => {
    for (const lesson of LESSONS) {
      const a = playLesson(lesson, { botSeed: 3, player: PLAYERS[lesson.id]!() });
      const b = playLesson(lesson, { botSeed: 3, player: PLAYERS[lesson.id]!() });
      expect(b.round.log).toEqual(a.round.log);
    }
  });

  it('never makes a scripted move at a seat a person holds', () => {
    for (const lesson of LESSONS) {
      const played = playToEnd(lesson, PLAYERS[lesson.id]!(), 2);
      played.round.log.forEach((command, i) => {
        if (played.origins[i]!.startsWith('script:') && command.type === 'act') expect(command.node).not.toBe(lesson.setup.player);
      });
    }
  });

  it('re-runs a round from its log alone: the same objectives, script firings and origins', () => {
    for (const lesson of LESSONS) {
      const played = playToEnd(lesson, PLAYERS[lesson.id]!(), 4);
      const replayed = replayLesson(lesson, played.round);
      expect(replayed.origins).toEqual(played.origins);
      expect(replayed.run.objectives).toEqual(played.run.objectives);
      expect(replayed.run.fired).toEqual(played.run.fired);
      expect(replayed.run.status).toBe('done');
    }
  });

  it('follows a round whose owner steps the engine itself, as a room does, to the same place', () => {
    const lesson = LESSONS.find((l) => l.id === 'blocking-coordinator')!;
    const played = playToEnd(lesson, PLAYERS[lesson.id]!(), 6);
    // A room holds the world: it steps each command, then hands the result to `observe`, the script's with its rule.
    let world = createWorld(lessonConfig(lesson));
    let run = startLesson(lesson, { world });
    let wanted = scriptWants(run);
    for (const command of played.round.log) {
      const scripted = wanted.find((w) => JSON.stringify(w.command) === JSON.stringify(command));
      const result = step(world, command);
      if (!result.ok) throw new Error(result.rejection.message);
      world = result.world;
      run = observe(run, command, result, scripted);
      wanted = scripted ? wanted.filter((w) => w !== scripted) : [];
      if (wanted.length === 0) wanted = scriptWants(run);
    }
    expect(run.world).toBe(world);
    expect(run.objectives).toEqual(played.run.objectives);
    expect(run.fired).toEqual(played.run.fired);
  });

  it('tells the player only the script lines meant for the moment, and keeps the rest for the debrief', () => {
    const lesson = LESSONS.find((l) => l.id === 'voting-is-atomic-commit')!;
    const played = playToEnd(lesson, PLAYERS[lesson.id]!(), 1);
    const told = narrative(played.run).map((f) => f.rule);
    expect(told).toEqual(['requests']);
    expect(played.run.fired.some((f) => f.told === 'after')).toBe(true);
  });

  it('lets a rule fire at most once in a given world, so a refused command cannot make it fire forever', () => {
    const base = LESSONS[0]!;
    const lesson: Lesson = {
      ...base,
      id: 'crash-twice',
      deadEnds: [],
      script: [{ id: 'crash-a', times: 5, when: () => true, commands: (): Command[] => [{ type: 'crash', node: 0 }], why: 'A crashes.' }],
    };
    const done = applyScript(startLesson(lesson));
    expect(done.applied).toHaveLength(1);
    // The second crash was refused (A is down already); it counts as fired and the script stops asking.
    expect(done.run.fired.map((f) => [f.rule, f.refused])).toEqual([
      ['crash-a', false],
      ['crash-a', true],
    ]);
    expect(scriptWants(done.run)).toEqual([]);
    const next = step(done.run.world, { type: 'tick' });
    if (!next.ok) throw new Error(next.rejection.message);
    // In the next world the rule may fire again (it has fired twice of its five times).
    const after: LessonRun = observe(done.run, { type: 'tick' }, next);
    expect(scriptWants(after).map((w) => w.command)).toEqual([{ type: 'crash', node: 0 }]);
    expect(done.run.refusals.map((r) => r.code)).toEqual(['already-crashed']);
    expect(observeRefusal(after, { type: 'crash', node: 0 }, { code: 'already-crashed', message: '', rule: false }).refusals).toHaveLength(2);
  });

  it('reaches objectives in order: a later one that holds before an earlier one is reached does not count', () => {
    // Lesson 5's player votes NO: the coordinator aborts and tells the player, which would settle the
    // last objective ("wait for the coordinator to end the doubt") of a lesson that never began.
    const lesson = LESSONS.find((l) => l.id === 'blocking-coordinator')!;
    const played = playLesson(lesson, { botSeed: 1, player: (_run, view) => legal(view, 'vote', (a) => a.vote === 'no') });
    expect(played.run.status).toBe('dead-end');
    const outcome = (played.run.world.nodes[lesson.setup.player]!.durable as { outcome: string | null }).outcome;
    expect(outcome).toBe('abort');
    expect(played.run.objectives.map((o) => o.reached !== null)).toEqual([false, false, false, false]);
  });

  it('asks nothing more of the script once the lesson is over', () => {
    for (const lesson of LESSONS) {
      const played = playToEnd(lesson, PLAYERS[lesson.id]!(), 5);
      expect(scriptWants(played.run)).toEqual([]);
      expect(played.run.hints).toEqual([]);
    }
  });
});
