import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { victoryGossip as lesson } from '../../shared/lessons/victoryGossip';
import { voteX as voter } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const learnedOf = (w: { nodes: { durable: object }[] }, id: number): string | null => (w.nodes[id]!.durable as { learned: string | null }).learned;
const tallyOf = (w: { nodes: { volatile: object }[] }, id: number): number => ((w.nodes[id]!.volatile as { tally: Record<string, number[]> }).tally.X ?? []).length;

const voteX = voter();

describe('lesson 10: victory gossip', () => {
  it('reaches every objective whatever the bots do: the player learns X from a VICTORY before their tally shows it', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, voteX, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const learnedAt = worlds.findIndex((w) => learnedOf(w, 0) === 'X');
      expect(tallyOf(worlds[learnedAt]!, 0)).toBeLessThan(3);
      expect(played.round.log.slice(0, learnedAt).every((c) => c.type !== 'act' || c.node !== 0 || c.action.kind === 'vote')).toBe(true);
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('says who announced the outcome to the player, and what their own tally showed then', () => {
    const played = playToEnd(lesson, voteX, 3);
    const worlds = worldsOf(played.round.config, played.round.log);
    const learnedAt = worlds.findIndex((w) => learnedOf(w, 0) === 'X');
    const world = worlds[learnedAt]!;
    const caught = worlds.find((w) => tallyOf(w, 0) >= 3)!;
    const lines = linesOf(lesson.debrief(played.round), 'knowledge');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Ada \\(A\\) learned X at tick ${world.tick} from [B-E]'s VICTORY\\. Ada's own tally showed ${tallyOf(world, 0)} of 5 votes then, and a majority only at tick ${caught.tick}\\.$`)));
    const chosen = worlds[worlds.length - 1]!.global.chosen[0]!;
    expect(lesson.debrief(played.round).commitPoint).toMatchObject({ node: chosen.node, step: chosen.step, tick: chosen.tick });
  });

  it('tells what the round would have done without gossip, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, voteX, 8);
    const worlds = worldsOf(played.round.config, played.round.log);
    // The rounds part where the first VICTORY is sent: from there, gossip changes what happens.
    const first = worlds.findIndex((w) => w.inFlight.some((m) => m.payload.kind === 'victory')) ;
    const { worlds: rerun } = rerunFrom(lesson, played.round, first, null, { gossip: false });
    expect(rerun.some((w) => w.inFlight.some((m) => m.payload.kind === 'victory'))).toBe(false);
    const aLearned = rerun.find((w) => learnedOf(w, 0) === 'X')!;
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toContain(`A would have learned X at tick ${aLearned.tick}, from its own tally (in this round: tick ${worlds.find((w) => learnedOf(w, 0) === 'X')!.tick})`);
    expect(lesson.debrief(played.round).whatIf!.run.divergedAt).toBe(first);
  });
});
