import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { lockedVotes as lesson } from '../../shared/lessons/lockedVotes';
import { lockBreaker } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const player = lockBreaker();

describe('lesson 8: locked votes give safety', () => {
  it('reaches every objective whatever the bots do: X chosen, the lock broken, Y chosen too, the voters disagreeing', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, player, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const last = worlds[worlds.length - 1]!;
      expect([...new Set(last.global.chosen.map((c) => c.decree))]).toEqual(['X', 'Y']);
      expect(last.global.violations.map((v) => [v.code, v.node])).toEqual([['vote-locked', 0]]);
    }
  });

  it('reaches its end with bots on every seat, the script breaking the rule for the bot at A', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) {
      const played = playLesson(lesson, { botSeed });
      expect(played.run.status).toBe('done');
      expect(played.origins).toContain('script:a-changes-vote');
    }
  });

  it('names both commit points the engine recorded, and the rule broken', () => {
    const played = playToEnd(lesson, player, 4);
    const worlds = worldsOf(played.round.config, played.round.log);
    const last = worlds[worlds.length - 1]!;
    const [x, y] = last.global.chosen;
    const debrief = lesson.debrief(played.round);
    const name = (n: number): string => (n === 0 ? 'Ada (A)' : 'ABC'[n]!);
    expect(linesOf(debrief, 'commit-point')).toEqual([
      `X was chosen when ${name(x!.node)}'s vote was cast at tick ${x!.tick}, giving it the votes of ${x!.voters.map(name).join(' and ')}.`,
      `Y was chosen when ${name(y!.node)}'s vote was cast at tick ${y!.tick}, giving it the votes of ${y!.voters.map(name).join(' and ')}.`,
    ]);
    expect(played.round.log[y!.step]).toEqual({ type: 'act', node: 0, action: { kind: 'vote', decree: 'Y' } });
    expect(linesOf(debrief, 'story')[0]).toContain(`At tick ${last.global.violations[0]!.tick} Ada (A) broke the rule "a vote is locked once cast"`);
    expect(linesOf(debrief, 'knowledge')[0]).toMatch(/B Y \(at tick \d+\) and C X/);
  });

  it('tells what the same round would have done with votes locked, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, player, 7);
    const log = played.round.log;
    const broken = worldsOf(played.round.config, log).findIndex((w) => w.global.violations.length > 0) - 1;
    const { world } = rerunFrom(lesson, played.round, broken, null, { sandbox: false }, ['hold-x-to-b']);
    expect([...new Set(world.global.chosen.map((c) => c.decree))]).toEqual(['X']);
    const learned = world.nodes.map((n, i) => `${'ABC'[i]} ${(n.durable as { learned: string }).learned}`);
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toBe(
      `With votes locked, as outside the sandbox, and X's votes no longer held back from B, the changed vote would have been refused, and the same round, played on by bots, would have chosen X alone; the voters learned ${learned[0]}, ${learned[1]} and ${learned[2]}.`,
    );
  });
});
