/**
 * What the fork tests send and measure: a round as large as a round may be, hostile bodies, a server
 * in a child process (its own event loop, started as `npm start` starts it), and a live room whose
 * ticks a client times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeConfig, MAX_ROUND_COMMANDS, roundDocument, serializeRound, type Command } from '../../shared';
import { joinSolo, until, type Player } from './helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * A valid round with as many commands as a round may hold, each a client's request with a decree as
 * long as a decree may be, between ticks. Every command re-runs; the world stays small.
 */
export function maximalRound(commands = MAX_ROUND_COMMANDS): { text: string; commands: number } {
  const decrees = Array.from({ length: 9 }, (_, i) => `decree-${i}-`.padEnd(24, String.fromCharCode(65 + i)));
  const config = makeConfig('paxos', 9, 4242, { latencyMin: 1, latencyMax: 1, gossip: true, decrees });
  const log: Command[] = [];
  for (let i = 0; log.length < commands; i++) {
    log.push(i % 10 === 0 ? { type: 'tick' } : { type: 'propose', node: i % 9, decree: decrees[i % 9]! });
  }
  return { text: serializeRound(roundDocument(config, log)), commands: log.length };
}

/** A fork body `{round, step}` padded with white space up to `bytes`, which JSON allows between tokens. */
export function forkBody(roundText: string, step: number, bytes = 0): Buffer {
  const head = `{"round":${roundText},"step":${step}`;
  return Buffer.from(head + ' '.repeat(Math.max(0, bytes - head.length - 1)) + '}');
}

/** A body of arrays nested in each other, `bytes` long. */
export function nestedBody(bytes: number): Buffer {
  const depth = Math.floor(bytes / 2);
  return Buffer.from('['.repeat(depth) + ']'.repeat(depth));
}

export function postFork(url: string, body: Uint8Array | string): Promise<{ status: number; body: { fork?: string; error?: string } }> {
  return fetch(`${url}/api/forks`, { method: "POST", headers: { "content-type": "application/json" }, body: body as BodyInit }).then(async (res) => ({
    status: res.status,
    body: (await res.json().catch(() => ({}))) as { fork?: string; error?: string },
  }));
}

/**
 * Sends bodies to `POST /api/forks` from a separate process, step after step, the bodies of a step at
 * once; returns each step's answers.
 */
export async function postForksFromAnotherProcess(url: string, steps: Uint8Array[][]): Promise<{ status: number; body: { fork?: string; error?: string } }[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-fork-bodies-'));
  try {
    const files = new Map<Uint8Array, string>();
    const named = steps.map((bodies) =>
      bodies.map((body) => {
        if (!files.has(body)) {
          const file = join(dir, `${files.size}.json`);
          writeFileSync(file, body);
          files.set(body, file);
        }
        return files.get(body)!;
      }),
    );
    const child = spawn(process.execPath, [join(ROOT, 'test', 'server', 'forkPoster.mjs'), url, JSON.stringify(named)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    if (code !== 0) throw new Error(`posting forks failed (exit code ${code})`);
    return JSON.parse(output) as { status: number; body: { fork?: string; error?: string } }[][];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => done(port));
    });
  });
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** The server process's resident memory, in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

/** The real server (`server/main.ts` under tsx, as `npm start` runs it) in a child process with a temporary database. */
export async function spawnServer(env: Record<string, string> = {}): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-forks-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      QUORUM_DB: join(dir, 'quorum.db'),
      QUORUM_SKIP_CLIENT_BUILD: '1',
      QUORUM_JOIN_BURST: '1000',
      QUORUM_JOIN_PER_SECOND: '100',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  // Not left running if this process ends first (a failed test, an interrupted run).
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  await until(() => output.includes('Quorum is listening') || exited, 'the server to start', 30_000);
  if (exited) throw new Error(`the server did not start:\n${output}`);
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    async stop() {
      process.off('exit', orphan);
      if (!exited) {
        child.kill('SIGTERM');
        await until(() => exited, 'the server to stop', 15_000).catch(() => child.kill('SIGKILL'));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A solo sandbox round that ticks until told otherwise, and the time each of its ticks reached the client. */
export class TickedRoom {
  readonly ticks: { at: number; tick: number }[] = [];

  private constructor(readonly player: Player) {}

  static async open(url: string): Promise<TickedRoom> {
    const player = await joinSolo(url, 'paxos', 5);
    await until(() => player.lastView !== undefined, 'the first view');
    // A sandbox round does not end when it is decided: it ticks until the tick limit.
    player.send('endRound', {});
    await until(() => player.lastView?.round.phase === 'ended', 'the first round to end');
    player.send('setup', { protocol: 'paxos', nodes: 5, sandbox: true });
    await until(() => player.lastView?.round.phase === 'setup', 'the sandbox setup');
    const room = new TickedRoom(player);
    player.room.onMessage('*', (type: string | number) => {
      const tick = type === 'clock' ? (player.got.clock.at(-1)?.tick ?? null) : type === 'view' ? (player.lastView?.view.now ?? null) : null;
      if (tick !== null && tick !== room.ticks.at(-1)?.tick) room.ticks.push({ at: performance.now(), tick });
    });
    player.send('start', {});
    await until(() => room.ticks.length > 5, 'the sandbox round to tick');
    return room;
  }

  /** The longest time between two ticks in [from, to), in ms. */
  worstGap(from: number, to = Infinity): number {
    let worst = 0;
    for (let i = 1; i < this.ticks.length; i++) {
      const { at } = this.ticks[i]!;
      if (at < from || at >= to) continue;
      worst = Math.max(worst, at - this.ticks[i - 1]!.at);
    }
    return worst;
  }

  ticksBetween(from: number, to = Infinity): number {
    return this.ticks.filter((t) => t.at >= from && t.at < to).length;
  }
}
