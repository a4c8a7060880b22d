/** Joining a lesson over the network: a solo room set up by the lesson, and a clear refusal of one that does not exist. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonById } from '../../shared/lessons';
import { sdk, until, Player, type TestServer, startTestServer } from './helpers';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ tickMs: 30 });
});
afterAll(async () => {
  await server.stop();
});

describe('lessons over the network', () => {
  it('sets the solo round up as the lesson says, seats the player where it says, and tells them the lesson', async () => {
    const lesson = lessonById('blocking-coordinator')!;
    const player = new Player(await sdk(server.url).create('solo', { lesson: lesson.id }));
    await until(() => player.got.lesson.length > 0 && player.lastView !== undefined, 'the lesson and a view');
    expect(player.got.welcome.at(-1)!.node).toBe(lesson.setup.player);
    expect(player.lastView!.round).toMatchObject({ protocol: lesson.setup.protocol, nodes: lesson.setup.nodes });
    expect(player.got.lesson[0]).toMatchObject({ id: lesson.id, number: lesson.number, title: lesson.title, status: 'playing' });
    expect(player.got.lesson[0]!.objectives.map((o) => o.title)).toEqual(lesson.steps.map((s) => s.title));
    await player.leave();
  });

  it('refuses a lesson that does not exist, naming the ones that do', async () => {
    await expect(sdk(server.url).create('solo', { lesson: 'no-such-lesson' })).rejects.toThrow(/There is no lesson "no-such-lesson": the lessons are one-machine, two-generals, one-variable-then-a-log, two-phase-commit, /);
  });
});
