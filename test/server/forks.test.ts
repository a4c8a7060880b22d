/**
 * Forks of replays: what the fork worker makes of a body, the limits of the route (size, queue,
 * time), the pending forks' budget and expiry, rounds that reach the most commands a round may hold,
 * and what real bot rounds weigh against those limits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createWorld,
  makeConfig,
  parseRound,
  protocolFor,
  protocolNames,
  replay,
  roundDocument,
  runSeed,
  serializeRound,
  step,
  MAX_ROUND_COMMANDS,
  MAX_ROUND_DOCUMENT_BYTES,
  type Command,
  type GodView,
  type RoundDocument,
} from '../../shared';
import { MAX_FORK_BODY_BYTES } from '../../server/app';
import { MAX_FORK_WORLD_BYTES, runForkJob, type ForkStart } from '../../server/forkJob';
import { PendingForks, PENDING_FORK_LIMITS } from '../../server/registry';
import { RoundStore } from '../../server/store';
import { classProtocols, nodesFor } from '../engine/helpers';
import { Player, sdk, startTestServer, until, type TestServer } from './helpers';
import { forkBody, maximalRound, postFork } from './forkRounds';

const encode = (text: string) => new TextEncoder().encode(text);
const job = (body: unknown) => runForkJob(encode(typeof body === 'string' ? body : JSON.stringify(body)));

describe('the fork worker\'s job', () => {
  for (const protocol of protocolNames()) {
    it(`gives the engine's world after the chosen step and the commands before it (${protocol})`, () => {
      const run = runSeed({ protocol, nodes: nodesFor(protocol, 5), seed: 3, faults: true });
      const doc = roundDocument(run.world.config, run.log);
      const at = Math.floor(run.log.length / 2);
      const result = job({ round: doc, step: at });
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (!result.ok) return;
      expect(JSON.parse(result.fork.world)).toStrictEqual(replay(run.world.config, run.log)[at]);
      expect(JSON.parse(inflateSync(result.fork.commands).toString('utf8'))).toStrictEqual(run.log.slice(0, at));
      expect(result.fork).toMatchObject({ step: at, config: run.world.config });
    });
  }

  const round = roundDocument(makeConfig('paxos', 3, 1), [{ type: 'tick' }, { type: 'propose', node: 0, decree: 'X' }]);
  const refusals: [string, Uint8Array | unknown, RegExp][] = [
    ['a body that is not UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8/],
    ['a body that is not JSON', '{"round": ', /not valid JSON/],
    ['deeply nested arrays', '['.repeat(10_000) + ']'.repeat(10_000), /nests deeper than 32/],
    ['deep nesting inside a round', { round: { ...round, meta: { players: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }, step: 0 }, /nests deeper/],
    ['a list', [], /JSON object/],
    ['a step that is not a whole number', { round, step: 1.5 }, /step must be a whole number from 0 to 2/],
    ['a step past the end', { round, step: 3 }, /step must be a whole number from 0 to 2/],
    ['a round that is not one', { round: { format: 'other' }, step: 0 }, /not a Quorum round/],
    ['a log that does not re-run', { round: { ...round, log: [{ type: 'drop', id: 9 }] }, step: 1 }, /does not re-run/],
    ['a log that is too long', { round: { ...round, log: new Array(MAX_ROUND_COMMANDS + 1).fill({ type: 'tick' }) }, step: 0 }, /too long/],
  ];
  for (const [what, body, error] of refusals) {
    it(`refuses ${what} with 400`, () => {
      const result = body instanceof Uint8Array ? runForkJob(body) : job(body);
      expect(result).toMatchObject({ ok: false, status: 400 });
      if (!result.ok) expect(result.error).toMatch(error);
    });
  }

  it('refuses with 413 to start from a world larger than a fork may start from', () => {
    // Thousands of copies of one message in flight: a valid round whose world is huge.
    const config = makeConfig('paxos', 3, 5, { latencyMin: 1000, latencyMax: 1000 });
    let world = createWorld(config);
    const log: Command[] = [];
    const apply = (command: Command) => {
      const result = step(world, command);
      if (!result.ok) throw new Error(result.rejection.message);
      world = result.world;
      log.push(command);
    };
    apply({ type: 'propose', node: 0, decree: 'X' });
    apply({ type: 'act', node: 0, action: { kind: 'prepare', ballot: 1 } });
    const id = world.inFlight[0]!.id;
    while (log.length < 10_000) apply({ type: 'duplicate', id });
    const result = job({ round: roundDocument(config, log), step: log.length });
    expect(result).toMatchObject({ ok: false, status: 413 });
    if (!result.ok) expect(result.error).toMatch(`at most ${MAX_FORK_WORLD_BYTES.toLocaleString('en-US')}`);
  });
});

describe('pending forks', () => {
  const forkOf = (worldBytes: number): ForkStart => ({
    config: makeConfig('paxos', 3, 1),
    world: 'x'.repeat(worldBytes),
    commands: new Uint8Array(100),
    step: 1,
  });

  it('start one round each, and let the oldest go when they would hold more bytes than the budget', () => {
    const forks = new PendingForks({ ...PENDING_FORK_LIMITS, bytes: 100_000 });
    const a = forks.add(forkOf(20_000));
    const b = forks.add(forkOf(20_000));
    expect(forks.bytes).toBe(2 * PendingForks.bytesOf(forkOf(20_000)));
    // A third would hold over 100,000 bytes: the oldest goes.
    const c = forks.add(forkOf(20_000));
    expect(forks.size).toBe(2);
    expect(forks.take(a)).toBeNull();
    expect(forks.take(b)).not.toBeNull();
    expect(forks.take(b)).toBeNull();
    expect(forks.take(c)).not.toBeNull();
    expect(forks.bytes).toBe(0);
    forks.clear();
  });

  it('let the oldest go past their number', () => {
    const forks = new PendingForks({ ...PENDING_FORK_LIMITS, count: 3 });
    const ids = Array.from({ length: 5 }, () => forks.add(forkOf(10)));
    expect(forks.size).toBe(3);
    expect(ids.map((id) => forks.take(id) !== null)).toEqual([false, false, true, true, true]);
  });

  it('expire when nobody joins them in time', () => {
    vi.useFakeTimers();
    try {
      const forks = new PendingForks({ ...PENDING_FORK_LIMITS, ttlMs: 50 });
      const id = forks.add(forkOf(1000));
      vi.advanceTimersByTime(49);
      expect(forks.size).toBe(1);
      vi.advanceTimersByTime(1);
      expect(forks.size).toBe(0);
      expect(forks.bytes).toBe(0);
      expect(forks.take(id)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a fork\'s round in the store', () => {
  it('keeps the starting commands with the round and numbers its own after them, running, finished, and after a kill', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-fork-store-'));
    try {
      const path = join(dir, 'quorum.db');
      const config = makeConfig('paxos', 3, 1);
      const prefix: Command[] = [{ type: 'propose', node: 0, decree: 'X' }, { type: 'tick' }, { type: 'tick' }];
      const deflated = deflateSync(JSON.stringify(prefix));
      const own: Command[] = [{ type: 'crash', node: 1 }, { type: 'tick' }];
      let store = new RoundStore(path);
      store.createClass('ABCDEF', '', 'key', 'now');
      for (const id of ['finished', 'killed']) {
        store.beginRound(id, 'ABCDEF', config, [], 'now', { deflated, count: prefix.length });
        for (const command of own) store.append(id, command);
        expect(store.roundDocument(id)!.log).toEqual([...prefix, ...own]);
      }
      store.finishRound('finished', null, {}, [], 'later');
      expect(store.roundDocument('finished')!.log).toEqual([...prefix, ...own]);
      expect(store.listRounds('ABCDEF').map((r) => r.commands)).toEqual([5, 5]);
      // A killed process leaves the journal: the next one keeps what it holds, after the starting commands.
      store.close();
      store = new RoundStore(path);
      store.markInterrupted('after');
      expect(store.roundState('killed')).toBe('interrupted');
      expect(store.roundDocument('killed')!.log).toEqual([...prefix, ...own]);
      expect(parseRound(store.roundDocument('killed')).ok).toBe(true);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the fork route\'s limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    // One request at a time, and little time for each: the limits show at once. A small round reads in a
    // millisecond or two; the largest takes well over 50 ms only to parse, before its 50,000 steps.
    server = await startTestServer({ tickMs: 20 }, undefined, { admitted: 1, jobMs: 50 });
  });
  afterAll(async () => {
    await server.stop();
  });

  const small = roundDocument(makeConfig('majority', 3, 2), [{ type: 'tick' }, { type: 'propose', node: 1, decree: 'X' }, { type: 'tick' }]);

  /**
   * Forks the small round. It reads in a millisecond or two, but on a loaded machine even it can
   * overrun this server's 50 ms: each overrun must be that 503 (from a fresh worker each time), and one
   * of a few tries must get through. A worker stuck on an earlier job would fail them all.
   */
  async function forkSmall(step: number): Promise<Awaited<ReturnType<typeof postFork>>> {
    let res = await postFork(server.url, JSON.stringify({ round: small, step }));
    for (let tries = 1; res.status === 503 && tries < 5; tries++) {
      expect(res.body.error).toMatch(/took longer than 0.05 s/);
      res = await postFork(server.url, JSON.stringify({ round: small, step }));
    }
    return res;
  }

  it('refuses a body over the limit with 413 and says how large one may be, whether its size is declared or not', async () => {
    const declared = await postFork(server.url, new Uint8Array(MAX_FORK_BODY_BYTES + 1).fill(0x20));
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatch(`at most ${MAX_FORK_BODY_BYTES.toLocaleString('en-US')} bytes`);
    // Sent in chunks with no length: refused once the limit is passed.
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_FORK_BODY_BYTES + chunk.length) controller.close();
        else {
          sent += chunk.length;
          controller.enqueue(chunk);
        }
      },
    });
    const res = await fetch(`${server.url}/api/forks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    // The server answers and closes; the client may see the answer or the closed connection.
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(/at most/);
    }
    expect(sent).toBeLessThanOrEqual(MAX_FORK_BODY_BYTES + 2 * chunk.length);
    // The place was given back.
    await until(() => server.forkWorkers.admitted === 0, 'the place to be given back');
  });

  it('refuses with 503 while as many requests as allowed are under way', async () => {
    // A request whose body never ends holds the only place.
    let stop!: () => void;
    const hanging = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encode('{"round":'));
        stop = () => controller.error(new Error('stopped'));
      },
    });
    const first = fetch(`${server.url}/api/forks`, { method: 'POST', body: hanging, duplex: 'half' } as RequestInit).catch(() => null);
    await until(() => server.forkWorkers.admitted === 1, 'the first request to be admitted');
    const second = await postFork(server.url, JSON.stringify({ round: small, step: 1 }));
    expect(second.status).toBe(503);
    expect(second.body.error).toMatch(/try again/);
    stop();
    await first;
    await until(() => server.forkWorkers.admitted === 0, 'the place to be given back');
    expect((await forkSmall(1)).status).toBe(201);
  });

  it('ends a job that takes too long with 503, and the next fork gets a fresh worker', async () => {
    const round = maximalRound();
    const slow = await postFork(server.url, forkBody(round.text, round.commands));
    expect(slow.status).toBe(503);
    expect(slow.body.error).toMatch(/took longer than 0.05 s/);
    const next = await forkSmall(2);
    expect(next.status, JSON.stringify(next.body)).toBe(201);
  });
});

describe('rounds at the limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The largest round has 5,000 ticks: here only the command limit may end a fork of it.
    server = await startTestServer({ tickMs: 20, maxRoundTicks: 1_000_000 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a round ends when it holds as many commands as a round may, and its document still loads', async () => {
    const round = maximalRound();
    const answer = await postFork(server.url, forkBody(round.text, round.commands - 3));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const player = new Player(await sdk(server.url).create('solo', { fork: answer.body.fork! }));
    await until(() => player.got.reveal.length > 0, 'the round to end');
    const id = player.got.reveal[0]!.roundId!;
    const doc = (await (await fetch(`${server.url}/api/rounds/${id}`)).json()) as RoundDocument;
    expect(doc.log).toHaveLength(MAX_ROUND_COMMANDS);
    expect(doc.log.slice(0, 10)).toEqual((JSON.parse(round.text) as RoundDocument).log.slice(0, 10));
    const parsed = parseRound(doc);
    expect(parsed.ok, parsed.ok ? '' : parsed.error).toBe(true);
    await player.leave();
  });

  it('the world a fork starts from is the one the replay shows at that step', async () => {
    const run = runSeed({ protocol: 'majority', nodes: 7, seed: 11, faults: true });
    const doc = roundDocument(run.world.config, run.log);
    const at = Math.floor(run.log.length * 0.7);
    const answer = await postFork(server.url, JSON.stringify({ round: doc, step: at }));
    expect(answer.status).toBe(201);
    const player = new Player(await sdk(server.url).create('solo', { fork: answer.body.fork! }));
    await until(() => player.got.view.length > 0, 'the fork\'s first view');
    const god = player.got.view[0]!.view as GodView;
    const expected = replay(run.world.config, run.log)[at]!;
    expect(god.step).toBe(at);
    expect(god.now).toBe(expected.tick);
    expect(god.inFlight.map((m) => m.id)).toEqual(expected.inFlight.map((m) => m.id));
    await player.leave();
  });
});

/**
 * What real rounds weigh. Bots play every seat of a 5,000-tick sandbox round (it does not end when
 * decided) of each protocol at N=9, latency 1 and nine decrees of 24 characters, as fast as the room
 * ticks, through a live server; the limits must leave a wide margin over them.
 */
describe('real rounds against the limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ tickMs: 8 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('bot rounds of 5,000 ticks at N=9 hold a fifth of the commands and a twentieth of the bytes a round may', { timeout: 240_000 }, async () => {
    const decrees = Array.from({ length: 9 }, (_, i) => `decree ${i} `.padEnd(24, String.fromCharCode(65 + i)));
    const sizes = await Promise.all(
      classProtocols().map(async (protocol) => {
        const player = new Player(await sdk(server.url).create('solo', { protocol, nodes: 9 }));
        await until(() => player.lastView !== undefined, 'the first view');
        player.send('endRound', {});
        await until(() => player.got.reveal.length > 0, 'the first round to end');
        // With no student seat the player holds no node (and gets no views): the new roster tells of the setup.
        const rosters = player.got.roster.length;
        player.send('setup', { protocol, nodes: 9, studentSeats: [], latencyMin: 1, latencyMax: 1, sandbox: true, gossip: true, decrees, speed: 8 });
        await until(() => player.got.roster.length > rosters, 'the setup');
        player.send('start', {});
        await until(() => player.got.reveal.length > 1, `the ${protocol} round to reach 5,000 ticks`, 200_000);
        const id = player.got.reveal[1]!.roundId!;
        const text = await (await fetch(`${server.url}/api/rounds/${id}`)).text();
        const doc = JSON.parse(text) as RoundDocument;
        await player.leave();
        return { protocol, ticks: doc.log.filter((c) => c.type === 'tick').length, commands: doc.log.length, bytes: Buffer.byteLength(text) };
      }),
    );
    console.log(sizes.map((s) => `${s.protocol}: ${s.ticks} ticks, ${s.commands} commands, ${s.bytes} bytes`).join('; '));
    for (const size of sizes) {
      expect(size.ticks).toBe(5000);
      expect(size.commands).toBeLessThan(MAX_ROUND_COMMANDS / 5);
      expect(size.bytes).toBeLessThan(MAX_ROUND_DOCUMENT_BYTES / 20);
    }
  });

  it('the engine agrees: bot rounds with faults injected all along stay far inside the limits', () => {
    const decrees = Array.from({ length: 9 }, (_, i) => `decree ${i} `.padEnd(24, String.fromCharCode(65 + i)));
    for (const protocol of protocolNames()) {
      const run = runSeed({ protocol, nodes: nodesFor(protocol, 9), seed: 1, faults: true, safetyTicks: 5000, livenessTicks: 1, settings: { latencyMin: 1, latencyMax: 3, sandbox: true, gossip: true, decrees } });
      const bytes = serializeRound(roundDocument(run.world.config, run.log)).length;
      expect(run.log.length).toBeLessThan(MAX_ROUND_COMMANDS / 5);
      expect(bytes).toBeLessThan(MAX_ROUND_DOCUMENT_BYTES / 20);
    }
  });
});
