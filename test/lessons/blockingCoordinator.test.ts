import { describe, expect, it } from 'vitest';
import { playLesson } from '../../shared/lessons';
import { blockingCoordinator as lesson } from '../../shared/lessons/blockingCoordinator';
import { doubtSpans } from '../../shared/protocols/2pc/present';
import type { GlobalState } from '../../shared/engine/types';
import type { TpcGlobal } from '../../shared/protocols/2pc/state';
import { participant } from './players';
import { BOT_SEEDS, legal, linesOf, playToEnd, rerunFrom, worldsOf } from './helpers';

describe('lesson 5: the blocking coordinator', () => {
  it('reaches every objective whatever the bots do: YES, asked, nobody knows, the doubt ended by the coordinator', () => {
    for (const botSeed of BOT_SEEDS) {
      const played = playToEnd(lesson, participant(), botSeed);
      const worlds = worldsOf(played.round.config, played.round.log);
      const last = worlds[worlds.length - 1]!;
      // The doubt ended because the coordinator came back and decided, after the answers came.
      const down = last.global.downtime.find((d) => d.node === 0)!;
      const heard = played.run.objectives.find((o) => o.id === 'nobody-knows')!.reached!.tick;
      expect(down.to).toBe(heard + 6);
      expect((last.nodes[0]!.durable as { decision: string }).decision).toBe('abort');
      expect((last.nodes[1]!.durable as { outcome: string }).outcome).toBe('abort');
    }
  });

  it('reaches its end with bots on every seat', () => {
    for (const botSeed of BOT_SEEDS.slice(0, 4)) expect(playLesson(lesson, { botSeed }).run.status).toBe('done');
  });

  it('says who was blocked, and for how long, from the god view\'s books', () => {
    const played = playToEnd(lesson, participant(), 2);
    const worlds = worldsOf(played.round.config, played.round.log);
    const last = worlds[worlds.length - 1]!;
    const spans = doubtSpans(last.global as GlobalState<TpcGlobal>, last.tick);
    const blocked = spans[0]!.blockedTicks;
    expect(spans.map((s) => s.blockedTicks)).toEqual([blocked, blocked, blocked]);
    const debrief = lesson.debrief(played.round);
    expect(debrief.commitPoint).toBeNull();
    expect(last.global.chosen).toEqual([]);
    expect(linesOf(debrief, 'blocked')).toContain(
      `Blocked while A was down: Ada (B), C and D for ${blocked} ticks each. Having voted YES, a participant may neither commit (A might have decided ABORT) nor abort (A might have logged COMMIT).`,
    );
  });

  it('tells what the round would have done without the crash, as a re-run of its own shows', () => {
    for (const botSeed of [1, 7]) {
      const played = playToEnd(lesson, participant(), botSeed);
      const log = played.round.log;
      const crash = log.findIndex((c) => c.type === 'crash');
      const { world } = rerunFrom(lesson, played.round, crash, null, {}, ['crash-coordinator']);
      const global = world.global as GlobalState<TpcGlobal>;
      expect((world.nodes[0]!.durable as { decision: string }).decision).toBe('commit');
      const longest = Math.max(...doubtSpans(global, world.tick).map((s) => s.ticks));
      const [sentence] = linesOf(lesson.debrief(played.round), 'what-if');
      const crashTick = worldsOf(played.round.config, log.slice(0, crash + 1)).pop()!.tick;
      expect(sentence).toContain(`Without the coordinator's crash at tick ${crashTick},`);
      expect(sentence).toContain(`would have committed X at tick ${global.protocol.outcomeAt[0]}`);
      expect(sentence).toContain(`more than ${longest} ticks`);
    }
  });

  it('ends in a dead end when the player votes NO', () => {
    const played = playLesson(lesson, { botSeed: 1, player: (_run, view) => legal(view, 'vote', (a) => a.vote === 'no') });
    expect(played.run.status).toBe('dead-end');
    expect(played.run.deadEnd!.id).toBe('voted-no');
  });
});
