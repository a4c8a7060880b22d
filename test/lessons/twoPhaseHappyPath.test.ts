import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { twoPhaseHappyPath as lesson } from '../../shared/lessons/twoPhaseHappyPath';
import { coordinator as coordinatorPlayer } from './players';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const coordinator = coordinatorPlayer();

describe('lesson 4: two-phase commit, the happy path', () => {
  it('reaches every objective, in order, whatever the bots do', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, coordinator, botSeed);
      const ticks = played.run.objectives.map((o) => o.reached!.tick);
      expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
      expect(played.origins.filter((o) => o === 'player')).toHaveLength(2);
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('names the commit point the engine recorded: the player\'s log write of COMMIT', () => {
    const played = playToEnd(lesson, coordinator, 3);
    const worlds = worldsOf(played.round.config, played.round.log);
    const chosen = worlds[worlds.length - 1]!.global.chosen[0]!;
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toMatchObject({ node: chosen.node, step: chosen.step, tick: chosen.tick, nickname: 'Ada' });
    expect(played.round.log[chosen.step]).toMatchObject({ type: 'act', node: 0, action: { kind: 'decide', outcome: 'commit' } });
    expect(linesOf(debrief, 'commit-point')[0]).toContain(`Ada (A)'s log write of COMMIT at tick ${chosen.tick}`);
    expect(linesOf(debrief, 'messages')).toEqual(['9 messages were sent: 3 PREPARE, 3 VOTE and 3 DECISION.']);
  });

  it('tells what a NO in place of the last YES would have done, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, coordinator, 5);
    const log = played.round.log;
    const commitStep = lesson.debrief(played.round).commitPoint!.step;
    const last = log.slice(0, commitStep).map((c, i) => ({ c, i })).filter(({ c }) => c.type === 'act' && c.action.kind === 'vote').pop()!;
    const vote = last.c as Extract<typeof last.c, { type: 'act' }>;
    const { world } = rerunFrom(lesson, played.round, last.i, { ...vote, action: { ...vote.action, vote: 'no' } });
    const abortedAt = (world.global.protocol as { outcomeAt: Record<string, number> }).outcomeAt[0]!;
    expect((world.nodes[0]!.durable as { decision: string }).decision).toBe('abort');
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toContain(`Had ${'BCD'[vote.node - 1]} voted NO`);
    expect(sentence).toContain(`logging ABORT at tick ${abortedAt}`);
  });

  it('ends in a dead end when the coordinator logs ABORT', () => {
    const played = playLesson(lesson, { botSeed: 1, player: (_run, view) => legal(view, 'prepare') ?? legal(view, 'decide', (a) => a.outcome === 'abort') });
    expect(played.run.status).toBe('dead-end');
    expect(played.run.deadEnd!.id).toBe('aborted');
  });

  it('shows a hint to a player who does not begin, once they have waited', () => {
    const played = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 12 });
    expect(played.run.current).toBe(0);
    expect(played.run.hints[0]).toContain('Begin X (send PREPARE)');
    const early = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 7 });
    expect(early.run.hints).toEqual([]);
  });
});
