import { describe, expect, it } from 'vitest';
import { advance, applyScript, playLesson, startLesson } from '../../shared/lessons';
import { oneMachine as lesson } from '../../shared/lessons/oneMachine';
import type { MachineDurable, MachineVolatile } from '../../shared/protocols/machine';
import type { World } from '../../shared/engine/types';
import { machine } from './players';
import { BOT_SEEDS, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const durable = (world: World): MachineDurable => world.nodes[0]!.durable as MachineDurable;
const memory = (world: World): MachineVolatile => world.nodes[0]!.volatile as MachineVolatile;

describe('lesson 1: one machine, log then apply', () => {
  it('reaches every objective, in order, whatever the bots do: write, apply, the lost update, the write again, the replay', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, machine(), botSeed);
      const ticks = played.run.objectives.map((o) => o.reached!.tick);
      expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
      // The player wrote both updates and applied the first; recovery applied the second.
      expect(played.round.log.filter((_, i) => played.origins[i] === 'player').map((c) => c.type === 'act' && c.action.kind)).toEqual(['write', 'apply', 'write']);
      const last = worldsOf(played.round.config, played.round.log).pop()!;
      expect(durable(last).log).toEqual(['deposit 10', 'withdraw 5']);
      expect(memory(last).applied).toEqual(['deposit 10', 'withdraw 5']);
    }
  });

  it('reaches its end with a bot on the machine', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('crashes before the write and loses the update, and after the write and keeps it, as the engine\'s worlds show', () => {
    const played = playToEnd(lesson, machine(), 3);
    const log = played.round.log;
    const worlds = worldsOf(played.round.config, log);
    const [first, second] = log.flatMap((c, i) => (c.type === 'crash' ? [i] : []));
    // Before the first crash withdraw 5 waited in memory, unwritten; after the recovery nothing of it is left.
    expect(memory(worlds[first!]!).requests).toEqual(['withdraw 5']);
    const back = log.findIndex((c, i) => i > first! && c.type === 'recover');
    expect(durable(worlds[back + 1]!).log).toEqual(['deposit 10']);
    expect(memory(worlds[back + 1]!)).toEqual({ requests: [], applied: ['deposit 10'], appliedCount: 1 });
    // The second crash came right after the write of withdraw 5, before its apply; the recovery applied it.
    expect(log[second! - 1]).toMatchObject({ type: 'act', action: { kind: 'write', update: 'withdraw 5' } });
    expect(memory(worlds[second!]!).applied).toEqual(['deposit 10']);
    const again = log.findIndex((c, i) => i > second! && c.type === 'recover');
    expect(memory(worlds[again + 1]!).applied).toEqual(['deposit 10', 'withdraw 5']);
  });

  it('names the commit points the engine recorded: each write to the log, by the player, at its tick', () => {
    const played = playToEnd(lesson, machine(), 3);
    const worlds = worldsOf(played.round.config, played.round.log);
    const chosen = worlds[worlds.length - 1]!.global.chosen;
    expect(chosen.map((c) => [c.slot, c.decree, c.node, c.nodeKnew])).toEqual([
      [0, 'deposit 10', 0, true],
      [1, 'withdraw 5', 0, true],
    ]);
    for (const c of chosen) expect(played.round.log[c.step]).toMatchObject({ type: 'act', node: 0, action: { kind: 'write', update: c.decree } });
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toMatchObject({ node: 0, step: chosen[0]!.step, tick: chosen[0]!.tick, nickname: 'Ada' });
    expect(linesOf(debrief, 'commit-point')[0]).toContain(`deposit 10 by Ada (A) at tick ${chosen[0]!.tick} and withdraw 5 by Ada (A) at tick ${chosen[1]!.tick}`);
    const story = linesOf(debrief, 'story');
    const [first, second] = worlds[worlds.length - 1]!.global.downtime;
    expect(story[0]).toContain(`The crash at tick ${first!.from} lost what was only in memory: withdraw 5, asked for but not yet written; and the state, with deposit 10 applied.`);
    expect(story[0]).toContain(`It came back at tick ${first!.to}`);
    expect(story[1]).toContain(`The crash at tick ${second!.from} lost what was only in memory: the state, with deposit 10 applied. It did not lose its log on disk, which held deposit 10 and withdraw 5.`);
    expect(story[1]).toContain(`and replayed its log: it applied deposit 10 and withdraw 5.`);
  });

  it('tells what the second crash one step earlier would have done, as a re-run of its own shows', () => {
    for (const botSeed of [1, 7]) {
      const played = playToEnd(lesson, machine(), botSeed);
      const log = played.round.log;
      const crash = log.findIndex((c, i) => c.type === 'crash' && i > 0 && log[i - 1]!.type === 'act');
      const { world, worlds } = rerunFrom(lesson, played.round, crash - 1, { type: 'crash', node: 0 }, {}, ['crash-after-write']);
      const committed = world.global.chosen.find((c) => c.decree === 'withdraw 5')!;
      const back = worlds.find((w) => w.global.downtime.length === 2 && w.global.downtime[1]!.to !== null)!;
      expect(durable(back).log).toEqual(['deposit 10']);
      const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
      const crashTick = worldsOf(played.round.config, log.slice(0, crash)).pop()!.tick;
      expect(sentence).toContain(`Had the crash at tick ${crashTick} come one step earlier, before Ada (A) wrote withdraw 5 to the log,`);
      expect(sentence).toContain(`back at tick ${back.global.downtime[1]!.to} with only deposit 10 in its log`);
      expect(sentence).toContain(`committed only at tick ${committed.tick}`);
      expect(committed.tick).toBeGreaterThan(crashTick);
    }
  });

  it('ends in a dead end when the machine is crashed by hand before the lesson\'s own crash', () => {
    let run = applyScript(startLesson(lesson)).run;
    const crashed = advance(run, { type: 'crash', node: 0 });
    expect(crashed.ok).toBe(true);
    run = crashed.run;
    expect(run.status).toBe('dead-end');
    expect(run.deadEnd!.id).toBe('crashed-by-hand');
  });

  it('shows a hint to a player who does not write, once they have waited', () => {
    const played = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 7 });
    expect(played.run.current).toBe(0);
    expect(played.run.hints[0]).toContain('Write deposit 10 to the log');
    const early = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 5 });
    expect(early.run.hints).toEqual([]);
  });
});
