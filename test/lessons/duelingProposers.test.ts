import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { duelingProposers as lesson } from '../../shared/lessons/duelingProposers';
import { proposer as proposerPlayer } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const proposer = proposerPlayer();

describe('lesson 12: ballots escape the split, and proposers can duel', () => {
  it('reaches every objective whatever the bots do: beaten, beaten again, then one ballot finishes', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, proposer, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      expect(worlds[worlds.length - 1]!.global.chosen).toHaveLength(1);
      expect(played.origins.filter((o) => o === 'script:c-preempts').length).toBeGreaterThanOrEqual(1);
      expect(played.origins).not.toContain('script:a-retries');
    }
  });

  it('reaches its end with bots on every seat, the script retrying for the bot at A', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('names the commit point the engine recorded, and every ballot started before it', () => {
    const played = playToEnd(lesson, proposer, 1);
    const worlds = worldsOf(played.round.config, played.round.log);
    const chosen = worlds[worlds.length - 1]!.global.chosen[0]!;
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toMatchObject({ node: chosen.node, step: chosen.step, tick: chosen.tick });
    expect(played.round.log[chosen.step]).toMatchObject({ type: 'act', node: chosen.node });
    expect(linesOf(debrief, 'commit-point')[0]).toContain(`acceptance at tick ${chosen.tick} was the commit point`);
    const ballots = played.round.log
      .slice(0, chosen.step)
      .flatMap((c, i) => (c.type === 'act' && c.action.kind === 'prepare' ? [`${String(c.action.ballot)}.${'ABC'[c.node]} at tick ${worlds[i + 1]!.tick}`] : []));
    expect(linesOf(debrief, 'blocked')[0]).toContain(`${ballots.length} ballots were started before a value was chosen: ${ballots.slice(0, -1).join(', ')} and ${ballots[ballots.length - 1]}.`);
  });

  it('says so when a later ballot carried a value accepted under an earlier one', () => {
    const stories = BOT_SEEDS.map((botSeed) => playToEnd(lesson, proposer, botSeed))
      .map((played) => ({ played, chosen: worldsOf(played.round.config, played.round.log).pop()!.global.chosen[0]! }))
      .filter(({ played, chosen }) => (played.round.log[chosen.step] as { node: number }).node !== 2 && chosen.decree === 'X');
    const carried = stories.map(({ played }) => linesOf(lesson.debrief(played.round), 'story')).filter((lines) => lines.some((l) => l.includes("though C's own client asked for Z")));
    expect(carried.length).toBeGreaterThan(0);
  });

  it('tells what the round would have done had C not started its ballot, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, proposer, 3);
    const at = played.origins.indexOf('script:c-preempts');
    const { world } = rerunFrom(lesson, played.round, at, null, {}, ['c-preempts', 'hold-accept-to-b']);
    const chosen = world.global.chosen[0]!;
    const accepted = (world.nodes[chosen.node]!.durable as { accepted: { ballot: { n: number; node: number } } }).accepted.ballot;
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    expect(sentence).toContain(`would have chosen ${chosen.decree} at tick ${chosen.tick}, under ballot ${accepted.n}.${'ABC'[accepted.node]}.`);
  });
});
