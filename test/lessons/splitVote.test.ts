import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { splitVote as lesson } from '../../shared/lessons/splitVote';
import { voteX as voter } from './players';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const voteX = voter();

describe('lesson 11: a split vote', () => {
  it('reaches every objective whatever the bots do: a split the engine proves stuck, and the player sees', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, voteX, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const last = worlds[worlds.length - 1]!;
      expect(last.global.stuck).toBe(true);
      expect(last.global.chosen).toEqual([]);
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('ends in a dead end when the player joins another decree, which then has a majority', () => {
    const played = playLesson(lesson, { botSeed: 1, player: (_run, view) => legal(view, 'vote', (a) => a.decree !== 'X') });
    expect(played.run.status).toBe('dead-end');
    expect(played.run.world.global.chosen).toHaveLength(1);
  });

  it('says when the split was sealed and when the player could tell, from the round itself', () => {
    const played = playToEnd(lesson, voteX, 5);
    const worlds = worldsOf(played.round.config, played.round.log);
    const sealed = worlds.findIndex((w) => w.global.stuck);
    const sealer = played.round.log[sealed - 1]!;
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toBeNull();
    const [blocked] = linesOf(debrief, 'blocked');
    const who = sealer.type === 'act' && sealer.node === 0 ? 'Ada (A)' : 'ABC'[(sealer as { node: number }).node];
    expect(blocked).toContain(`The split was sealed at tick ${worlds[sealed]!.tick}, with ${who}'s vote`);
    const seen = played.run.objectives[1]!.reached!.tick;
    expect(linesOf(debrief, 'knowledge')[0]).toContain(`Ada (A) could tell at tick ${seen}`);
    expect(linesOf(debrief, 'outcome')).toEqual(['Nothing was chosen. The votes: Ada (A) for X, B for Y and C for Z.']);
  });

  it('tells what two decrees would have done in place of three, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, voteX, 9);
    const log = played.round.log;
    const ask = log.findIndex((c) => c.type === 'propose' && c.decree === 'Z');
    const { world } = rerunFrom(lesson, played.round, ask, null);
    const chosen = world.global.chosen[0]!;
    expect(chosen.voters).toHaveLength(2);
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toContain(`Had no client asked C for Z, the same round, played on by bots, would have chosen ${chosen.decree} at tick ${chosen.tick}`);
  });
});
