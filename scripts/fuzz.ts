/**
 * `npm run fuzz -- --frames N`: starts a server, has a crowd of clients in one classroom send N random
 * and malformed frames (random types and lengths up to the payload cap, random payloads, truncated
 * encodings), while a well-behaved instructor in another classroom watches a running round. The last
 * line of stdout is one JSON object: {frames, serverAlive, broadcastsExpected, broadcastsReceived}:
 * the watcher must have been told of every tick of its round (one view or clock each), as the
 * round's stored log counts them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, type Room } from '@colyseus/sdk';
import { startServer } from '../server/app';
import type { RoundDocument } from '../shared';
import { CLIENT_MESSAGE_TYPES, MAX_CLIENT_MESSAGE_BYTES, type RoundPhase } from '../shared/wire/messages';
import { FrameFuzzer } from '../test/server/frames';

export interface FuzzResult {
  frames: number;
  serverAlive: boolean;
  broadcastsExpected: number;
  broadcastsReceived: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))]);
}

async function post(url: string): Promise<{ code: string; instructorKey: string }> {
  const res = await fetch(`${url}/api/classes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"fuzz"}' });
  return (await res.json()) as { code: string; instructorKey: string };
}

export async function fuzz(frames: number, options: { clients?: number; seed?: number; log?: (line: string) => void } = {}): Promise<FuzzResult> {
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'quorum-fuzz-'));
  const server = await startServer({
    config: { dbPath: join(dir, 'fuzz.db'), reconnectSeconds: 1, tickMs: 100, joinBurst: 100_000, joinPerSecond: 10_000, maxRoundTicks: 1_000_000, classIdleMinutes: 240, adminPassword: null },
    port: 0,
    host: '127.0.0.1',
    log,
  });
  const url = `http://127.0.0.1:${server.port}`;
  try {
    // The well-behaved client: an instructor watching a round that runs throughout.
    const calm = await post(url);
    const watcher = await new Client(url).join('classroom', { code: calm.code, instructorKey: calm.instructorKey });
    /** Views and clocks of the running round, one per tick (its first view, at tick 0, opens the round). */
    let received = 0;
    let stopped = false;
    let roundId: string | null = null;
    watcher.onMessage('*', (type: string | number, message: { round?: { id: string | null; phase: RoundPhase; tick: number }; tick?: number; phase?: RoundPhase }) => {
      const at = type === 'view' ? message.round! : type === 'clock' ? { tick: message.tick!, phase: message.phase!, id: roundId } : null;
      if (type === 'reveal' || (at && at.phase !== 'running' && roundId !== null)) stopped = true;
      if (!at || at.phase !== 'running') return;
      roundId ??= at.id;
      if (at.tick > 0) received += 1;
    });
    watcher.send('setup', { protocol: 'paxos', nodes: 7, studentSeats: [], latencyMin: 5, latencyMax: 40 });
    watcher.send('start', {});

    const target = await post(url);
    const fuzzer = new FrameFuzzer(options.seed ?? 0x5eed);
    const types = [...CLIENT_MESSAGE_TYPES, 'nope', ''];
    let sent = 0;
    let joins = 0;
    const worker = async (w: number): Promise<void> => {
      let room: Room | null = null;
      while (sent < frames) {
        if (!room || !room.connection.isOpen) {
          room?.removeAllListeners();
          room = await withTimeout(new Client(url).join('classroom', { code: target.code, nickname: `f${w}-${joins++}` }), 5000).catch((e) => {
            log(`join failed: ${(e as Error).message}`);
            return null;
          });
          if (!room) {
            await sleep(50);
            continue;
          }
          room.reconnection.enabled = false;
          room.onMessage('*', () => {});
        }
        // Mostly within the cap, now and then just over it.
        const cap = fuzzer.int(20) === 0 ? MAX_CLIENT_MESSAGE_BYTES + 1 + fuzzer.int(200) : MAX_CLIENT_MESSAGE_BYTES;
        try {
          room.connection.send(fuzzer.frame(cap, types));
          sent += 1;
        } catch {
          room = null;
        }
        // About 25 frames a second per client, under the flood limit, so the frames reach the handlers.
        await sleep(40);
      }
      if (room) await withTimeout(room.leave(true), 2000).catch(() => {});
    };
    const clients = options.clients ?? 50;
    let lastReport = 0;
    const progress = setInterval(() => {
      if (sent - lastReport >= 1000) log(`${(lastReport = sent)} frames sent`);
    }, 500);
    await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
    clearInterval(progress);
    log('all frames sent');

    // Stop the watched round so the counts settle, then compare with the ticks its log holds.
    watcher.send('pause', {});
    for (let i = 0; i < 200 && !stopped; i++) await sleep(20);
    const stored = await fetch(`${url}/api/rounds/${roundId}`, { headers: { 'x-instructor-key': calm.instructorKey } })
      .then((r) => r.json() as Promise<RoundDocument>)
      .catch(() => null);
    const broadcastsExpected = stored?.log?.filter((c) => c.type === 'tick').length ?? -1;

    log('checking the server');
    const health = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    const probe = await new Client(url).join('classroom', { code: target.code, nickname: 'probe' }).then(
      async (r) => {
        await r.leave(true);
        return true;
      },
      () => false,
    );
    await withTimeout(watcher.leave(true), 2000).catch(() => {});
    return { frames: sent, serverAlive: health && probe, broadcastsExpected, broadcastsReceived: received };
  } finally {
    log('stopping the server');
    await withTimeout(server.close(), 5000).catch(() => log('the server did not stop in time'));
    rmSync(dir, { recursive: true, force: true });
  }
}

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n\n`);
  process.stderr.write('usage: npm run fuzz -- --frames N [--clients C] [--seed S]\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const options: Record<string, number> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = Number(argv[i + 1]);
    if (!['--frames', '--clients', '--seed'].includes(flag)) usage(`unknown option "${flag}"`);
    if (argv[i + 1] === undefined || !Number.isInteger(value) || value < 1) usage(`${flag} needs a positive whole number`);
    options[flag.slice(2)] = value;
  }
  if (options.frames === undefined) usage('--frames is required');
  const result = await fuzz(options.frames!, { clients: options.clients, seed: options.seed, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.serverAlive && result.broadcastsExpected === result.broadcastsReceived ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
