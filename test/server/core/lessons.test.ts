/** A lesson played in a solo room: its script fires through the room's own steps, and the player is told how far it has come. */
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../../shared';
import { lessonById, replayLesson, startLesson, type PlayerMoves } from '../../../shared/lessons';
import { completeSetup, type RoundSetup } from '../../../server/core/round';
import { coordinator, generalA, logVoter, machine, participant, voteX } from '../../lessons/players';
import { MemoryHost } from './helpers';

/** Players that decide from their own view and the lesson's panel, as a person at the seat does. */
const PLAYED: [string, () => PlayerMoves][] = [
  ['one-machine', machine],
  ['one-variable-then-a-log', logVoter],
  ['two-generals', generalA],
  ['two-phase-commit', coordinator],
  ['blocking-coordinator', participant],
  ['voting-is-atomic-commit', voteX],
];

describe('a lesson in a solo room', () => {
  for (const [id, makePlayer] of PLAYED) {
    it(`plays "${id}" to its end: every objective reached, the script's doings told, the debrief sent, and the stored round replays as that lesson`, () => {
      const lesson = lessonById(id)!;
      const host = new MemoryHost({ kind: 'solo', limits: { tickMs: 100 } });
      const setup = completeSetup({ protocol: lesson.setup.protocol, nodes: lesson.setup.nodes, studentSeats: [lesson.setup.player] } as RoundSetup, undefined, true) as Required<RoundSetup>;
      const player = host.solo(setup, undefined, lesson);
      expect(player.node).toBe(lesson.setup.player);
      expect(player.got.lesson[0]).toMatchObject({ id, title: lesson.title, status: 'playing', debrief: null });
      const move = makePlayer();
      for (let tick = 0; tick < 600 && player.got.reveal.length === 0; tick++) {
        // A view is sent when something but the clock changed; the clock's own message tells the tick, as the client reads it.
        const seen = player.lastView!.view as NodeView;
        const view = { ...seen, now: Math.max(seen.now, player.got.clock.at(-1)?.tick ?? 0) };
        // The lesson so far, as the player's panel tells it (lesson 5's player asks once the coordinator went quiet).
        const round = [...host.store.rounds.values()].at(-1)!;
        const run = replayLesson(lesson, { config: round.config, log: round.commands, players: [{ node: lesson.setup.player, nickname: null }] }).run;
        const action = move(run, view);
        if (action && action !== 'bot') player.act(action);
        host.advance(100);
      }
      const last = player.got.lesson.at(-1)!;
      expect(last.status).toBe('done');
      expect(last.objectives.every((o) => o.reached)).toBe(true);
      expect(last.debrief!.length).toBeGreaterThan(2);
      // The script told the player what it did, and why.
      expect(player.got.lesson.some((m) => m.narrative.length > 0)).toBe(true);
      // Scripted commands are in the stored log: the round replays as the same lesson, to the same end.
      const stored = [...host.store.rounds.values()].at(-1)!;
      const replayed = replayLesson(lesson, { config: stored.config, log: stored.commands, players: [{ node: lesson.setup.player, nickname: 'you' }] });
      expect(replayed.run.objectives.every((o) => o.reached !== null)).toBe(true);
      expect(stored.config).toEqual(expect.objectContaining({ protocol: lesson.setup.protocol, nodes: lesson.setup.nodes, seed: lesson.setup.seed }));
    });
  }

  it('plays "flp" to its end, the player moving on from the panel\'s objective: the round has no timeouts, and the player is its timeout', () => {
    const lesson = lessonById('flp')!;
    const host = new MemoryHost({ kind: 'solo', limits: { tickMs: 100 } });
    const setup = completeSetup({ protocol: lesson.setup.protocol, nodes: lesson.setup.nodes, studentSeats: [lesson.setup.player] } as RoundSetup) as Required<RoundSetup>;
    const player = host.solo(setup, undefined, lesson);
    const kinds = ['prepare', null, 'prepare', 'propose'];
    for (let tick = 0; tick < 600 && player.got.reveal.length === 0; tick++) {
      const view = player.lastView!.view as NodeView;
      const panel = player.got.lesson.at(-1)!;
      const kind = kinds[panel.current] ?? null;
      const proposal = (view.self.volatile as { proposal: unknown }).proposal;
      const action = kind && !(panel.current === 0 && proposal) ? view.legal.find((a) => a.kind === kind) : undefined;
      if (action) player.act(action);
      host.advance(100);
    }
    const last = player.got.lesson.at(-1)!;
    expect(last.status).toBe('done');
    expect(last.objectives.every((o) => o.reached)).toBe(true);
    // The player's retry is told as the player's, not as the script's for a bot.
    expect(last.debrief).toContainEqual(expect.stringMatching(/^At tick \d+ A started ballot 2\.A: A was the timeout\.$/));
    const stored = [...host.store.rounds.values()].at(-1)!;
    expect(stored.config.settings.noTimeouts).toBe(true);
    expect(stored.commands.filter((c) => c.type === 'delay').length).toBeGreaterThanOrEqual(3);
  });

  it("puts the rule's explanation of each refused move in the lesson panel", () => {
    const lesson = lessonById('two-phase-commit')!;
    const host = new MemoryHost({ kind: 'solo', limits: { tickMs: 100 } });
    const setup = completeSetup({ protocol: lesson.setup.protocol, nodes: lesson.setup.nodes, studentSeats: [lesson.setup.player] } as RoundSetup, undefined, true) as Required<RoundSetup>;
    const player = host.solo(setup, undefined, lesson);
    expect(player.got.lesson.at(-1)!.refusals).toEqual([]);
    // Deciding before any vote is in: the coordinator may not COMMIT yet.
    player.act({ kind: 'decide', outcome: 'commit' });
    const refused = player.got.rejected.at(-1)!;
    expect(player.got.lesson.at(-1)!.refusals).toEqual([{ tick: 0, why: refused.message }]);
  });

  it('a solo room without a lesson sends no lesson message', () => {
    const host = new MemoryHost({ kind: 'solo', limits: { tickMs: 100 } });
    const setup = completeSetup({ protocol: 'majority', nodes: 3, studentSeats: [0] } as RoundSetup) as Required<RoundSetup>;
    const player = host.solo(setup);
    host.advance(1000);
    expect(player.got.lesson).toEqual([]);
  });
});
