import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRound, replay, type GodView, type NodeView, type RoundDocument } from '../../shared';
import { lessonById, replayLesson, startLesson } from '../../shared/lessons';
import { lessonReplayOf, type LessonReplay } from '../../client/src/replay/lesson';
import { describeSummary, summaryOf } from '../../client/src/replay/library';
import { coordinator } from '../lessons/players';
import { createClass, joinInstructor, joinStudent, sdk, until, Player, type TestServer, startTestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 30 });
});
afterAll(async () => {
  await server.stop();
});

async function getRound(id: string): Promise<RoundDocument> {
  const res = await fetch(`${server.url}/api/rounds/${id}`);
  expect(res.status).toBe(200);
  const parsed = parseRound(await res.json());
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.round;
}

/** A classroom round with one student who makes one illegal move, ended by the instructor. */
async function playedRound(): Promise<{ code: string; key: string; id: string; refusedAt: number }> {
  const { code, instructorKey } = await createClass(server.url);
  const teacher = await joinInstructor(server.url, code, instructorKey);
  teacher.send('setup', { protocol: 'majority', nodes: 3, studentSeats: [1] });
  await until(() => teacher.lastView?.round.protocol === 'majority', 'setup');
  const ann = await joinStudent(server.url, code, 'Ann');
  await until(() => ann.got.welcome.some((w) => w.node === 1), 'seated');
  teacher.send('start', {});
  await until(() => ann.lastView?.round.phase === 'running', 'running');
  // A vote for a decree Ann never heard of: the engine refuses it.
  ann.act({ kind: 'vote', decree: 'NOPE' });
  await until(() => ann.got.rejected.length > 0, 'rejected');
  const refusedAt = ann.lastView!.view.now;
  teacher.send('endRound', {});
  await until(() => teacher.got.reveal.length > 0, 'reveal');
  const id = teacher.got.reveal[0]!.roundId!;
  for (const p of [teacher, ann]) await p.leave();
  return { code, key: instructorKey, id, refusedAt };
}

describe('rounds kept for replays', () => {
  it('lists a class\'s rounds with their players, and keeps refused moves for the timeline', async () => {
    const { code, key, id } = await playedRound();
    const list = (await (await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': key } })).json()) as {
      rounds: { id: string; players: string[]; protocol: string; nodes: number }[];
    };
    const row = list.rounds.find((r) => r.id === id)!;
    expect(row).toMatchObject({ protocol: 'majority', nodes: 3, players: ['Ann'] });
    const doc = await getRound(id);
    expect(doc.meta.rejections).toHaveLength(1);
    const rejection = doc.meta.rejections![0]!;
    expect(rejection).toMatchObject({ node: 1, code: 'unknown-candidate' });
    expect(rejection.step).toBeGreaterThan(0);
    expect(rejection.step).toBeLessThanOrEqual(doc.log.length);
  });
});

describe('a lesson round kept for replays', () => {
  it("carries the lesson it played, and its replay's steps and debrief are the lesson's own, re-run from the stored log", async () => {
    const lesson = lessonById('two-phase-commit')!;
    const player = new Player(await sdk(server.url).create('solo', { lesson: lesson.id }));
    // The coordinator's seat, played as a student who follows the objectives would.
    const move = coordinator();
    const dummy = startLesson(lesson);
    // While it is played, its replay is no more readable than any solo round's: not until it ends.
    await until(() => player.lastView !== undefined, 'a view');
    const running = await fetch(`${server.url}/api/rounds/${player.lastView!.round.id}`);
    expect(running.status).toBe(403);
    let seen: unknown = null;
    await until(() => {
      const last = player.lastView;
      if (last && last !== seen) {
        seen = last;
        const action = move(dummy, last.view as NodeView);
        if (action && action !== 'bot') player.act(action);
      }
      return player.got.reveal.length > 0;
    }, 'the lesson round to end');
    const id = player.got.reveal[0]!.roundId!;
    await player.leave();

    const doc = await getRound(id);
    expect(doc.meta.lesson).toBe(lesson.id);
    // A solo room keeps no nickname for its player, who holds the lesson's player seat: the debrief calls them "you".
    expect(doc.meta.players).toEqual([]);
    const seat = { node: lesson.setup.player, nickname: 'you' };
    const round = { config: doc.config, log: doc.log, players: [seat] };
    const expected = replayLesson(lesson, round);
    expect(expected.run.status).toBe('done');

    const shown = lessonReplayOf(doc) as LessonReplay;
    expect(shown.lesson.id).toBe(lesson.id);
    expect(shown.players).toEqual([seat]);
    // Every objective, at the world right after the command that reached it.
    expect(shown.objectives).toEqual(lesson.steps.map((o, i) => ({ title: o.title, step: expected.run.objectives[i]!.reached!.step + 1 })));
    expect(shown.marks.filter((m) => m.kind === 'objective').map((m) => m.text)).toEqual(lesson.steps.map((o) => o.title));
    // Every script rule that fired and changed something, with its why, at its step.
    const fired = expected.run.fired.filter((f) => !f.refused);
    expect(fired.length).toBeGreaterThan(0);
    expect(shown.marks.filter((m) => m.kind === 'script').map((m) => [m.step, m.text])).toEqual(
      fired.map((f) => [Math.max(0, f.step + 1), f.why]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    // The script's opening requests are its own commands in the stored log.
    expect(expected.origins.filter((o) => o.startsWith('script:')).length).toBeGreaterThan(0);
    // The debrief is the lesson's, naming the player who held the seat.
    const debrief = lesson.debrief(round).lines.map((l) => l.text);
    expect(shown.debrief.map((t) => t.toLowerCase())).toEqual(debrief.map((t) => t.toLowerCase()));
    expect(shown.debrief.join(' ')).toMatch(/\b[Yy]ou \(A\)/);
    // The library lists it by the lesson's title.
    expect(describeSummary(summaryOf(id, doc, 'solo'))).toMatch(/^Lesson 4: /);
    expect(describeSummary(summaryOf(id, doc, 'solo'))).toContain(lesson.title);
  });

  it('a round that played no lesson names none, in its document and in its class\'s list', async () => {
    const { code, key, id } = await playedRound();
    const doc = await getRound(id);
    expect('lesson' in doc.meta).toBe(false);
    expect(lessonReplayOf(doc)).toBeNull();
    const list = (await (await fetch(`${server.url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': key } })).json()) as { rounds: { id: string; lesson: string | null }[] };
    expect(list.rounds.find((r) => r.id === id)!.lesson).toBeNull();
  });
});

describe('what if: forking a replay into a solo sandbox round', () => {
  it('starts from the world at the chosen step, with the god view and every control', async () => {
    const { id } = await playedRound();
    const doc = await getRound(id);
    const step = Math.floor(doc.log.length / 2);
    const expected = replay(doc.config, doc.log)[step]!;
    const res = await fetch(`${server.url}/api/forks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ round: doc, step }),
    });
    expect(res.status).toBe(201);
    const { fork } = (await res.json()) as { fork: string };
    const player = new Player(await sdk(server.url).create('solo', { fork }));
    await until(() => player.got.view.length > 0 && player.got.welcome.length > 0, `fork view ${JSON.stringify(player.all.map((m) => m.type))}`);
    expect(player.got.welcome[0]).toMatchObject({ role: 'instructor', node: null });
    const first = player.got.view[0]!;
    const god = first.view as GodView;
    expect(god.kind).toBe('god');
    expect(god.config.settings.sandbox).toBe(true);
    expect(god.now).toBe(expected.tick);
    expect(god.step).toBe(expected.step);
    // The player drives the fork: pause and inject are accepted.
    player.send('pause', {});
    await until(() => player.lastView?.round.phase === 'paused', 'paused');
    player.send('inject', { command: { type: 'crash', node: 0 } });
    await until(() => (player.lastView?.view as GodView).nodes[0]!.crashed, 'crash');
    player.send('endRound', {});
    await until(() => player.got.reveal.length > 0, 'reveal');
    const forked = await getRound(player.got.reveal[0]!.roundId!);
    expect(forked.log.slice(0, step)).toEqual(doc.log.slice(0, step));
    expect(forked.log.length).toBeGreaterThan(step);
    await player.leave();

    // A fork starts one round only.
    await expect(sdk(server.url).create('solo', { fork })).rejects.toThrow(/already started or expired/);
  });

  it('refuses a malformed round or a step outside it', async () => {
    const post = (body: unknown) =>
      fetch(`${server.url}/api/forks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ round: { format: 'something-else' }, step: 0 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not a Quorum round/);
    const { id } = await playedRound();
    const doc = await getRound(id);
    const beyond = await post({ round: doc, step: doc.log.length + 1 });
    expect(beyond.status).toBe(400);
    expect(((await beyond.json()) as { error: string }).error).toMatch(/step must be/);
  });

  it('a student view stays private in a fork too: a fork has no students', async () => {
    const { id } = await playedRound();
    const doc = await getRound(id);
    const res = await fetch(`${server.url}/api/forks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ round: doc, step: doc.log.length }) });
    const body = (await res.json()) as { fork: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    const fork = body.fork;
    const player = new Player(await sdk(server.url).create('solo', { fork }));
    await until(() => player.got.view.length > 0 && player.got.roster.length > 0, 'view and roster');
    const seats = player.got.roster.at(-1)?.seats ?? [];
    expect(seats.length, JSON.stringify(player.got.roster)).toBe(doc.config.nodes);
    expect(seats.filter((s) => s.holder !== 'bot'), JSON.stringify(player.got.roster)).toEqual([]);
    expect((player.lastView!.view as NodeView | GodView).kind).toBe('god');
    await player.leave();
  });
});
