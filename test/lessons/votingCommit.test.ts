import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { votingCommit as lesson } from '../../shared/lessons/votingCommit';
import { voteX as voter } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const voteX = voter();

describe('lesson 7: voting is an atomic commit', () => {
  it('reaches every objective, and the player\'s vote is the commit point, unknown to them, whatever the bots do', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, voteX, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const [chosen] = worlds[worlds.length - 1]!.global.chosen;
      expect(chosen).toMatchObject({ node: 0, nodeKnew: false, decree: 'X' });
      expect(played.round.log[chosen!.step]).toEqual({ type: 'act', node: 0, action: { kind: 'vote', decree: 'X' } });
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('names the commit point by the player\'s nickname, with what their own tally showed', () => {
    const played = playToEnd(lesson, voteX, 4);
    const worlds = worldsOf(played.round.config, played.round.log);
    const chosen = worlds[worlds.length - 1]!.global.chosen[0]!;
    const tally = (worlds[chosen.step + 1]!.nodes[0]!.volatile as { tally: Record<string, number[]> }).tally.X!;
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toMatchObject({ node: chosen.node, step: chosen.step, tick: chosen.tick, nickname: 'Ada' });
    expect(linesOf(debrief, 'commit-point')).toEqual([
      `Ada (A)'s vote at tick ${chosen.tick} was the commit point: it gave X 3 of 5 votes (B, C and A), a majority. Ada did not know it: Ada's own tally showed ${tally.length} of 5 votes for X.`,
    ]);
    expect(tally.length).toBeLessThan(3);
    // The network's holds are told only now: while the round ran they would have given away what A could not know.
    expect(played.run.fired.filter((f) => f.rule.startsWith('hold')).every((f) => f.told === 'after')).toBe(true);
    expect(linesOf(debrief, 'story').some((l) => l.includes("held back C's VOTE to A"))).toBe(true);
  });

  it('tells what the round would have done without the holds, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, voteX, 6);
    const log = played.round.log;
    const debrief = lesson.debrief(played.round);
    const first = log.findIndex((c) => c.type === 'delay');
    const { world } = rerunFrom(lesson, played.round, first, null, {}, ['hold-to-a', 'hold-c-vote-to-a', 'hold-to-late']);
    const chosen = world.global.chosen[0]!;
    const [sentence] = linesOf(debrief, 'what-if');
    expect(sentence).toContain(`would have chosen X at tick ${chosen.tick}, when ${'ABCDE'[chosen.node]}'s vote was cast`);
    expect(debrief.whatIf!.run.divergedAt).toBe(first);
  });
});
