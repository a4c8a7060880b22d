/**
 * Every event a client is sent carries the tick at which it happened. While a round runs, a
 * student's move reaches the others with the next tick's view, whose clock is one tick later: the
 * events must still say when they happened, as the stored round does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Replay } from '../../shared/engine/replay';
import type { NodeView } from '../../shared';
import { createClass, joinInstructor, joinStudent, startTestServer, until, type Player, type TestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 50 });
});
afterAll(async () => {
  await server.stop();
});

/** The ticks at which the stored round's engine emitted each text. */
function ticksOfTexts(roundId: string): Map<string, Set<number>> {
  const doc = server.store.roundDocument(roundId)!;
  const replay = new Replay(doc.config, doc.log);
  const ticks = new Map<string, Set<number>>();
  for (let i = 0; i < doc.log.length; i++) {
    const tick = replay.worldAt(i + 1).tick;
    for (const e of replay.eventsOf(i)) {
      if (!ticks.has(e.text)) ticks.set(e.text, new Set());
      ticks.get(e.text)!.add(tick);
    }
  }
  return ticks;
}

describe('event ticks', () => {
  it('dates every event sent to the instructor and the students by the tick it happened, also when it comes with the next tick', async () => {
    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    const students: Player[] = [];
    for (const name of ['Ann', 'Ben', 'Cal']) students.push(await joinStudent(server.url, code, name));
    teacher.send('setup', { protocol: 'majority', nodes: 5, studentSeats: [0, 1, 2], speed: 0.5 });
    await until(() => teacher.lastView?.round.phase === 'setup' && teacher.lastView.round.nodes === 5, 'setup');
    teacher.send('start', {});
    await until(() => teacher.lastView?.round.phase === 'running', 'running');
    // The students move as soon as they may: each move is applied during a tick, and the others hear of it at the next.
    const moved = new Set<Player>();
    await until(() => {
      for (const s of students) {
        const view = s.lastView?.view as NodeView | undefined;
        const move = view?.legal.find((a) => a.kind === 'vote' || a.kind === 'putForward');
        if (move && !moved.has(s) && s.lastView?.round.phase === 'running') {
          s.act(move);
          moved.add(s);
        }
      }
      return moved.size === students.length || teacher.got.reveal.length > 0;
    }, 'the students move', 20_000);
    teacher.send('endRound', {});
    await until(() => teacher.got.reveal.length > 0, 'reveal');
    const roundId = teacher.got.reveal[0]!.roundId!;
    const ticks = ticksOfTexts(roundId);

    let late = 0;
    for (const player of [teacher, ...students]) {
      for (const view of player.got.view) {
        for (const e of view.events) {
          expect(typeof e.tick, e.text).toBe('number');
          expect([...(ticks.get(e.text) ?? [])], `"${e.text}" sent as t${e.tick}`).toContain(e.tick);
          expect(e.tick).toBeLessThanOrEqual(view.view.now);
          if (e.tick < view.view.now) late += 1;
        }
      }
    }
    // Some events did come with a later tick's view: the case the tick is for.
    expect(late).toBeGreaterThan(0);
    for (const p of [teacher, ...students]) await p.leave();
  });
});
