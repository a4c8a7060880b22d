/**
 * `npm run bench -- server [--rooms R] [--seconds S] [--profile DIR]`: the server in a child process, rooms of 6
 * bot-driven websocket students each acting about once a second (a legal move from their own view),
 * latency from sending an action to receiving the view that includes it. Then the same load on a bare
 * Colyseus echo room, the framework's own floor. Each run also reports the machine's CPU steal over
 * its measured window (/proc/stat's steal column, in percent of all CPU time): on a shared virtual
 * machine, a high figure says the host took the time. The last stdout line is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, type Room as ClientRoom } from '@colyseus/sdk';
import type { Action, NodeView } from '../../shared';
import type { ViewFrame } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';
import { readCpuTimes, stealPercent } from './paired';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLIENTS_PER_ROOM = 6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Figures {
  rooms: number;
  clients: number;
  actionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number;
  rssMb: number;
  errors: number;
  /** CPU time the hypervisor took from this machine during the measured window, in percent of all CPU time. */
  stealPercent: number | null;
}

// ---- The server side (runs in the child) --------------------------------------------------------

/**
 * With a profile folder, the server records a V8 CPU profile of the measured window only: it starts
 * on SIGUSR2 (sent when measuring begins) and is written on SIGTERM, so joining is left out.
 */
function profileOnSignal(dir: string | undefined): () => Promise<void> {
  if (!dir) return async () => {};
  let session: import('node:inspector/promises').Session | null = null;
  process.on('SIGUSR2', () => {
    void (async () => {
      const { Session } = await import('node:inspector/promises');
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    })();
  });
  return async () => {
    if (!session) return;
    const { profile } = await session.post('Profiler.stop');
    const file = join(dir, `server-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`profile written to ${file}\n`);
  };
}

async function serve(role: string): Promise<void> {
  const writeProfile = profileOnSignal(process.env.QUORUM_BENCH_PROFILE);
  if (role === 'quorum') {
    const { startServer } = await import('../../server/app');
    const dir = mkdtempSync(join(tmpdir(), 'quorum-bench-'));
    const server = await startServer({
      config: { dbPath: join(dir, 'bench.db'), reconnectSeconds: 60, tickMs: 500, joinBurst: 1e9, joinPerSecond: 1e9, maxRoundTicks: 1e9, classIdleMinutes: 240, adminPassword: null },
      port: 0,
      host: '127.0.0.1',
      log: () => {},
    });
    process.stdout.write(`PORT ${server.port}\n`);
    process.on('SIGTERM', () => {
      void writeProfile()
        .then(() => server.close())
        .finally(() => {
          rmSync(dir, { recursive: true, force: true });
          process.exit(0);
        });
    });
    return;
  }
  const { createServer } = await import('node:http');
  const { Server, Room } = await import('@colyseus/core');
  const { WebSocketTransport } = await import('@colyseus/ws-transport');
  const { WebSocket } = await import('ws');
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  class EchoRoom extends Room {
    override maxClients = CLIENTS_PER_ROOM;
    override onCreate(): void {
      this.onMessage('act', (_client, message: { seq: number }) => this.broadcast('view', { lastSeq: message.seq }));
    }
  }
  const http = createServer();
  const server = new Server({ transport: new WebSocketTransport({ server: http }), greet: false, gracefullyShutdown: false });
  server.define('echo', EchoRoom);
  await server.listen(0, '127.0.0.1');
  const address = http.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

// ---- The load (runs in the bench process) -------------------------------------------------------

function startChild(role: string, profileDir: string | null = null): Promise<{ child: ChildProcess; port: number }> {
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench', 'server.ts')], {
    cwd: ROOT,
    env: { ...process.env, QUORUM_BENCH_ROLE: role, ...(profileDir ? { QUORUM_BENCH_PROFILE: profileDir } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePort, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolvePort({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

/** CPU seconds used so far and resident memory of a process, from /proc. */
function usage(pid: number): { cpu: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: ticks / 100, rssMb: rss ? Number(rss[1]) / 1024 : 0 };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Answers first, then a new ballot or proposal: what a player with a button would press. */
function chooseAction(view: NodeView | undefined): Action | null {
  const legal = view?.legal ?? [];
  return legal.find((a) => a.kind !== 'prepare' && a.kind !== 'abort') ?? legal[0] ?? null;
}

async function load(kind: 'quorum' | 'echo', port: number, rooms: number, seconds: number, pid: number, profiling: boolean, log: (s: string) => void): Promise<Figures> {
  const url = `http://127.0.0.1:${port}`;
  const latencies: number[] = [];
  let errors = 0;
  let actions = 0;
  let measuring = false;
  /** Set when the clients leave on purpose: from then on a closed connection is not an error. */
  let leaving = false;
  const players: { room: ClientRoom; view?: NodeView; pending: Map<number, number>; seq: number }[] = [];
  const hosts: ClientRoom[] = [];

  for (let r = 0; r < rooms; r++) {
    try {
      let code = '';
      if (kind === 'quorum') {
        const res = await fetch(`${url}/api/classes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        const made = (await res.json()) as { code: string; instructorKey: string };
        code = made.code;
        const host = await new Client(url).join('classroom', { code, instructorKey: made.instructorKey });
        host.onMessage('*', () => {});
        host.send('setup', { protocol: 'paxos', nodes: CLIENTS_PER_ROOM, sandbox: true });
        hosts.push(host);
      }
      let echoRoomId = '';
      for (let c = 0; c < CLIENTS_PER_ROOM; c++) {
        const room =
          kind === 'quorum'
            ? await new Client(url).join('classroom', { code, nickname: `p${c}` })
            : c === 0
              ? await new Client(url).create('echo', {})
              : await new Client(url).joinById(echoRoomId, {});
        if (kind === 'echo' && c === 0) echoRoomId = room.roomId;
        const player = { room, pending: new Map<number, number>(), seq: 0 } as (typeof players)[number];
        const views = new ViewAssembler();
        room.onMessage('*', (type: string | number, message: { lastSeq?: number; view?: NodeView; seq?: number }) => {
          if (type === 'view') {
            // The echo room's views are bare sequence numbers; Quorum's are whole views or patches.
            if (kind === 'quorum') player.view = views.accept(message as ViewFrame).view as NodeView;
            for (const [seq, sentAt] of player.pending) {
              if (seq <= (message.lastSeq ?? 0)) {
                if (measuring) latencies.push(performance.now() - sentAt);
                player.pending.delete(seq);
              }
            }
          }
        });
        room.onLeave(() => {
          if (!leaving) errors += 1;
        });
        players.push(player);
      }
      if (kind === 'quorum') {
        // The instructor starts the round and leaves: the load is the six students, as in the echo room.
        const host = hosts.pop()!;
        host.send('start', {});
        await sleep(20);
        await host.leave(true).catch(() => {});
      }
    } catch (error) {
      errors += 1;
      log(`room ${r}: ${(error as Error).message}`);
    }
    if ((r + 1) % 50 === 0) log(`${kind}: ${r + 1} rooms joined`);
  }

  // Every client acts about once a second, at its own phase.
  const timers = players.map((player) =>
    setTimeout(function actNow(): void {
      const action = kind === 'quorum' ? chooseAction(player.view) : { kind: 'echo' };
      if (action) {
        player.seq += 1;
        player.pending.set(player.seq, performance.now());
        player.room.send('act', { seq: player.seq, action });
        if (measuring) actions += 1;
      }
      timers[players.indexOf(player)] = setTimeout(actNow, 800 + Math.random() * 400);
    }, Math.random() * 1000),
  );

  await sleep(3000);
  measuring = true;
  if (profiling) process.kill(pid, 'SIGUSR2');
  const before = usage(pid);
  const machineBefore = readCpuTimes();
  const start = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  const after = usage(pid);
  const steal = stealPercent(machineBefore, readCpuTimes());
  measuring = false;
  timers.forEach((t) => clearTimeout(t));
  // Actions that never got their view within 5 s count as errors.
  const now = performance.now();
  for (const player of players) for (const sentAt of player.pending.values()) if (now - sentAt > 5000) errors += 1;
  leaving = true;
  await Promise.all([...players.map((p) => p.room.leave(true).catch(() => {})), ...hosts.map((h) => h.leave(true).catch(() => {}))]);

  latencies.sort((a, b) => a - b);
  return {
    rooms,
    clients: players.length,
    actionsPerSecond: Math.round(actions / elapsed),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    cpuPercent: Number((((after.cpu - before.cpu) / elapsed) * 100).toFixed(1)),
    rssMb: Number(after.rssMb.toFixed(1)),
    errors,
    stealPercent: steal,
  };
}

export async function run(args: string[]): Promise<void> {
  let rooms = 200;
  let seconds = 30;
  let profileDir: string | null = null;
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--profile' && args[i + 1]) {
      // Writes a V8 CPU profile of the Quorum server's measured window into this folder.
      profileDir = resolve(args[i + 1]!);
      continue;
    }
    const value = Number(args[i + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${args[i]} needs a positive whole number`);
    if (args[i] === '--rooms') rooms = value;
    else if (args[i] === '--seconds') seconds = value;
    else throw new Error(`unknown option ${args[i]} (use --rooms R --seconds S [--profile DIR])`);
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const measure = async (kind: 'quorum' | 'echo'): Promise<Figures> => {
    const { child, port } = await startChild(kind, kind === 'quorum' ? profileDir : null);
    try {
      return await load(kind, port, rooms, seconds, child.pid!, kind === 'quorum' && profileDir !== null, log);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  const quorum = await measure('quorum');
  log(`quorum: ${JSON.stringify(quorum)}`);
  const echo = await measure('echo');
  log(`echo: ${JSON.stringify(echo)}`);
  const ratio = (a: number, b: number): number => Number((b > 0 ? a / b : 0).toFixed(2));
  process.stdout.write(
    `${JSON.stringify({ ...quorum, echo: { p50Ms: echo.p50Ms, p99Ms: echo.p99Ms, cpuPercent: echo.cpuPercent, rssMb: echo.rssMb, errors: echo.errors, stealPercent: echo.stealPercent }, p99Ratio: ratio(quorum.p99Ms, echo.p99Ms), cpuRatio: ratio(quorum.cpuPercent, echo.cpuPercent) })}\n`,
  );
}

if (process.env.QUORUM_BENCH_ROLE) {
  serve(process.env.QUORUM_BENCH_ROLE).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
