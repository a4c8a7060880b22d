import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { liveness as lesson } from '../../shared/lessons/liveness';
import { resender } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const player = resender();

describe('lesson 9: liveness', () => {
  it('reaches every objective whatever the bots do: stalled with two of five up, passed with three', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, player, botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const chosen = worlds[worlds.length - 1]!.global.chosen[0]!;
      const up = worlds[chosen.step + 1]!.nodes.filter((n) => !n.crashed).map((n) => n.id);
      expect(up).toEqual([0, 1, 2]);
      // Nothing passed while two were up, though both had voted.
      const stalled = played.run.objectives.find((o) => o.id === 'stalled')!.reached!;
      expect(worlds[stalled.step + 1]!.global.chosen).toEqual([]);
      expect(chosen.step).toBeGreaterThan(played.run.objectives.find((o) => o.id === 'resend')!.reached!.step);
    }
  });

  it('reaches its end with bots on every seat, the script putting X forward again for the bot at A', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) {
      const played = playLesson(lesson, { botSeed });
      expect(played.run.status).toBe('done');
      expect(played.origins).toContain('script:a-resends');
    }
  });

  it('never makes the scripted move at a seat the player holds', () => {
    const played = playToEnd(lesson, player, 3);
    expect(played.origins).not.toContain('script:a-resends');
  });

  it('says how long too few were up, and names the commit point the engine recorded', () => {
    const played = playToEnd(lesson, player, 8);
    const worlds = worldsOf(played.round.config, played.round.log);
    const last = worlds[worlds.length - 1]!;
    const chosen = last.global.chosen[0]!;
    const cDown = last.global.downtime.find((d) => d.node === 2)!;
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toMatchObject({ node: chosen.node, step: chosen.step, tick: chosen.tick });
    expect(linesOf(debrief, 'blocked')).toEqual([
      `From tick ${cDown.from} to tick ${cDown.to} (${cDown.to! - cDown.from} ticks) only A and B were up: 2 of 5, short of the 3 a majority needs, so nothing could pass.`,
    ]);
    expect(linesOf(debrief, 'commit-point')[0]).toContain(`C's vote at tick ${chosen.tick} was the commit point`);
  });

  it('tells what the round would have done had C not crashed, as a re-run of its own shows', () => {
    const played = playToEnd(lesson, player, 2);
    const log = played.round.log;
    const crash = log.findIndex((c) => c.type === 'crash' && c.node === 2);
    const { world } = rerunFrom(lesson, played.round, crash, null, {}, ['crash-c']);
    const chosen = world.global.chosen[0]!;
    const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
    const voters = chosen.voters.map((n) => 'ABCDE'[n]);
    expect(sentence).toContain(`would have passed X at tick ${chosen.tick} with the votes of ${voters.slice(0, -1).join(', ')} and ${voters[voters.length - 1]}`);
  });
});
