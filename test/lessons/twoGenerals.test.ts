import { describe, expect, it } from 'vitest';
import { step } from '../../shared/engine/step';
import type { Command, EngineEvent, World } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';
import { narrative, playLesson } from '../../shared/lessons';
import { twoGenerals as lesson } from '../../shared/lessons/twoGenerals';
import { protocolFor } from '../../shared/protocols';
import type { GeneralDurable, GeneralsGlobal } from '../../shared/protocols/generals';
import { scoreRound } from '../../shared/results';
import { generalA } from './players';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

const general = (world: World, id: number): GeneralDurable => world.nodes[id]!.durable as GeneralDurable;

/** The round's log re-run on its own: every world, and every command's events. */
function trace(config: Parameters<typeof createWorld>[0], log: readonly Command[]): { worlds: World[]; events: EngineEvent[][] } {
  const worlds = [createWorld(config)];
  const events: EngineEvent[][] = [];
  for (const command of log) {
    const result = step(worlds[worlds.length - 1]!, command);
    if (!result.ok) throw new Error(result.rejection.message);
    worlds.push(result.world);
    events.push(result.events);
  }
  return { worlds, events };
}

describe('lesson 2: the two generals', () => {
  it('reaches every objective, in order, whatever the bots do: plan sent, acknowledged, answered, the attack ordered, dawn', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, generalA(), botSeed);
      const ticks = played.run.objectives.map((o) => o.reached!.tick);
      expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
      const last = worldsOf(played.round.config, played.round.log).pop()!;
      // The script lost the first messenger and every answer to A's acknowledgement (2); B had that acknowledgement and attacked too.
      expect(played.run.fired.map((f) => f.rule)).toEqual(expect.arrayContaining(['first-messenger-lost', 'b-orders-attack', 'answers-lost']));
      expect(general(last, 0)).toMatchObject({ heard: 2, attack: true, dawn: true });
      expect(general(last, 1)).toMatchObject({ heard: 3, attack: true, dawn: true });
      expect(protocolFor('generals').status(last)).toEqual({ decided: true, outcome: 'both attacked' });
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('keeps the lost messengers out of the narrative until the debrief', () => {
    const played = playToEnd(lesson, generalA(), 3);
    const told = narrative(played.run).map((f) => f.why);
    expect(told.some((t) => /caught/.test(t))).toBe(false);
    const story = linesOf(lesson.debrief(played.round), 'story');
    expect(story.some((t) => t.includes('Your first messenger was caught in the valley'))).toBe(true);
    expect(story.some((t) => t.includes("B's acknowledgement (3) was caught in the valley"))).toBe(true);
  });

  it('tells the messengers and what each general knew when A attacked, as the engine\'s own re-run shows', () => {
    for (const botSeed of [2, 7]) {
      const played = playToEnd(lesson, generalA(), botSeed);
      const { worlds, events } = trace(played.round.config, played.round.log);
      const debrief = lesson.debrief(played.round);
      // Messengers: sent, arrived and caught, counted from the engine's events.
      const all = events.flat();
      const sent = all.filter((e) => e.type === 'sent');
      const arrived = all.filter((e) => e.type === 'delivered').length;
      const caught = all.filter((e) => e.type === 'dropped' || e.type === 'lost').length;
      const byA = sent.filter((e) => e.message!.from === 0).length;
      expect(linesOf(debrief, 'messages')).toEqual([
        `${sent.length} messengers were sent (${byA} by Ada, ${sent.length - byA} by B): ${arrived} arrived, ${caught} were caught in the valley.`,
      ]);
      // The moment A ordered the attack: B had acknowledgement (2), had answered it, and its answer was caught.
      const at = played.round.log.findIndex((c) => c.type === 'act' && c.node === 0 && c.action.kind === 'attack');
      const world = worlds[at + 1]!;
      const b = general(world, 1);
      expect(b.heard).toBe(3);
      expect(b.sent).toBe(4);
      const answer = sent.filter((e) => e.message!.from === 1 && e.message!.payload.kind === 'ack' && e.message!.payload.n === 3)[0]!.message!;
      const caughtAt = events.findIndex((list) => list.some((e) => e.type === 'dropped' && e.message!.id === answer.id));
      const [aLine, bLine] = linesOf(debrief, 'knowledge');
      expect(aLine).toContain(`When Ada (A) ordered the attack at tick ${world.tick}, A had received acknowledgement (1)`);
      expect(aLine).toContain('did not know whether its last acknowledgement (2) had arrived');
      expect(bLine).toBe(
        `At that moment B had received acknowledgement (2), and did not know whether its last acknowledgement (3) had arrived (it had been caught at tick ${worlds[caughtAt + 1]!.tick}). B had ordered the attack.`,
      );
      const dawn = (worlds[worlds.length - 1]!.global.protocol as GeneralsGlobal).dawnAt;
      expect(linesOf(debrief, 'outcome')).toEqual([`Both armies attacked at dawn (tick ${dawn}), together, and took the city.`]);
      expect(debrief.commitPoint).toBeNull();
    }
  });

  it('tells what losing A\'s last messenger would have done, as a re-run of its own shows', () => {
    for (const botSeed of [1, 5]) {
      const played = playToEnd(lesson, generalA(), botSeed);
      const { worlds, events } = trace(played.round.config, played.round.log);
      const at = played.round.log.findIndex((c) => c.type === 'act' && c.node === 0 && c.action.kind === 'attack');
      const last = events.slice(0, at).flat().filter((e) => e.type === 'sent' && e.message!.from === 0).pop()!.message!;
      const delivered = events.findIndex((list) => list.some((e) => e.type === 'delivered' && e.message!.id === last.id));
      expect(delivered).toBeGreaterThan(0);
      const { world } = rerunFrom(lesson, played.round, delivered, { type: 'drop', id: last.id });
      // Without its acknowledgement (2), B never ordered the attack, and A (its bot too) attacked alone.
      expect(general(world, 1).attack).toBe(false);
      expect(protocolFor('generals').status(world).outcome).toBe('A attacked alone');
      const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
      expect(sentence).toContain(`Had A's last messenger before it ordered the attack (acknowledgement (2), sent at tick ${last.sentAt}) been caught`);
      expect(sentence).toContain(`Ada's army attacked alone at dawn (tick ${(world.global.protocol as GeneralsGlobal).dawnAt}) and was beaten`);
      expect(sentence).toContain('B would not have ordered the attack');
      expect(sentence).toContain('In both rounds the last messenger to reach A brought acknowledgement (1)');
      expect(general(worlds[worlds.length - 1]!, 0).heard).toBe(general(world, 0).heard);
    }
  });

  it('scores the lesson\'s round: both generals, the outcome, and no commit point', () => {
    const played = playToEnd(lesson, generalA(), 4);
    const board = scoreRound({ id: 'r', group: 1, config: played.round.config, log: played.round.log, rejections: [], holders: [{ node: 0, nickname: 'Ada', from: 0, to: null }], botMoves: [] }).scoreboard;
    expect(board.outcome).toBe('both attacked');
    expect(board.rows.map((r) => r.name).sort()).toEqual(['Ada', 'bot at B']);
    expect(board.commitPoints).toEqual([]);
  });

  it('shows a hint to a player who sends nothing, once they have waited', () => {
    const played = playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 4 });
    expect(played.run.current).toBe(0);
    expect(played.run.hints[0]).toContain('Send a messenger: attack at dawn');
    expect(playLesson(lesson, { botSeed: 1, player: () => null, maxTicks: 3 }).run.hints).toEqual([]);
  });

  it('ends in a dead end when dawn comes and A never ordered the attack', () => {
    const played = playLesson(lesson, { botSeed: 1, player: (_run, view) => legal(view, 'plan') && (view.self.durable as GeneralDurable).messengers < 2 ? legal(view, 'plan') : legal(view, 'ack') });
    expect(played.run.status).toBe('dead-end');
    expect(played.run.deadEnd!.id).toBe('no-attack');
    expect(general(played.run.world, 1).attack).toBe(true);
    expect(protocolFor('generals').status(played.run.world).outcome).toBe('B attacked alone');
  });
});
