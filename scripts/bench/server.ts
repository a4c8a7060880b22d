/**
 * `npm run bench -- server [--rooms R | --class N] [--seconds S] [--profile DIR]`: the server in a child
 * process and bot-driven websocket students, each acting about once a second (a legal move from their
 * own view); latency from sending an action to receiving the view that includes it, and the frames and
 * bytes the clients receive.
 *
 * - Rooms (the default, `--rooms R`, 200): R classes of 6 students each, one sandbox round per class.
 *   Then the same load on bare Colyseus echo rooms of 6, the framework's own floor.
 * - A class (`--class N`, at most 200): one class of N students in groups of 5 (Paxos, 5 nodes), every
 *   group's round started by the instructor, who stays connected (views of one group, every group's
 *   summary) and starts the next round of each group whose round ended. Measured at speed 1, then at
 *   speed 4 (one `speed` for all groups); then the floor: the same N clients in one bare echo room,
 *   each action echoed to the sender's group of 5.
 *
 * Each run also reports the machine's CPU steal over each measured window (/proc/stat's steal column,
 * in percent of all CPU time): on a shared virtual machine, a high figure says the host took the time.
 * With `--profile DIR` the Quorum server writes a V8 CPU profile of each measured window. The last
 * stdout line is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import { Client, type Room as ClientRoom } from '@colyseus/sdk';
import type { Action, NodeView } from '../../shared';
import { MAX_CLASS_STUDENTS, type GroupSummary, type RoundPhase, type ViewFrame } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';
import { readCpuTimes, stealPercent, type CpuTimes } from './paired';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLIENTS_PER_ROOM = 6;
/** Students per group in class mode, and the nodes of each group's round. */
const GROUP_SIZE = 5;
/** An action whose view has not come back after this long counts as an error. */
const LATE_MS = 5000;
/** Load before measuring: the clients' phases spread out and the server warms up. */
const WARM_UP_MS = 3000;
const USAGE = 'usage: npm run bench -- server [--rooms R | --class N] [--seconds S] [--profile DIR]\n';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Options {
  /** Students of one class (class mode), or null for rooms of 6. */
  students: number | null;
  rooms: number;
  seconds: number;
  profileDir: string | null;
}

/** The options, or what is wrong with them. */
export function parseOptions(args: readonly string[]): Options | string {
  const options: Options = { students: null, rooms: 200, seconds: 30, profileDir: null };
  let rooms = false;
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i]!, args[i + 1]];
    if (!['--rooms', '--class', '--seconds', '--profile'].includes(name)) return `unknown option "${name}"`;
    if (value === undefined || value.startsWith('--')) return `${name} needs a value`;
    if (name === '--profile') {
      options.profileDir = resolve(value);
      continue;
    }
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1)) return `${name} needs a positive whole number, not "${value}"`;
    if (name === '--rooms') {
      options.rooms = n;
      rooms = true;
    } else if (name === '--class') {
      if (n > MAX_CLASS_STUDENTS) return `--class takes at most ${MAX_CLASS_STUDENTS} students (a class holds no more)`;
      options.students = n;
    } else options.seconds = n;
  }
  if (rooms && options.students !== null) return '--rooms and --class are two different loads: give one';
  return options;
}

/** What one measured window saw. */
interface Figures {
  clients: number;
  actionsPerSecond: number;
  /** Frames, and kilobytes, the students received per second, all together. */
  framesPerSecond: number;
  kbPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number;
  rssMb: number;
  /** Actions without their view within 5 s, connections lost, joins that failed. */
  errors: number;
  lateViews: number;
  leaves: number;
  joinFailures: number;
  /** How late the server's event loop ran a 1 ms timer: its p99 and its worst, over the window. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU time the hypervisor took from this machine during the measured window, in percent of all CPU time. */
  stealPercent: number | null;
  /** The bench process's own CPU (the clients), and the machine's 1-minute load average at the window's end: a busy machine delays both ends. */
  clientCpuPercent: number;
  loadAverage: number;
}

// ---- The server side (runs in the child) --------------------------------------------------------

/** What the server child measures of itself over a window: how late its event loop ran timers. */
interface LoopDelay {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/**
 * The child's side of a measured window: a SIGUSR2 starts measuring its event loop's delay and, with
 * a profile folder, a V8 CPU profile; the next one writes the profile and answers with the delay on
 * stdout (a line `WINDOW {…}`). Joining and the pauses between windows are left out. SIGTERM writes
 * a profile still running. (No IPC channel: with one, Colyseus would start reporting to pm2.)
 */
function measureOnRequest(dir: string | undefined): () => Promise<void> {
  let session: import('node:inspector/promises').Session | null = null;
  let delay: IntervalHistogram | null = null;
  let written = 0;
  const writeProfile = async (): Promise<void> => {
    const running = session;
    if (!running || !dir) return;
    session = null;
    const { profile } = await running.post('Profiler.stop');
    running.disconnect();
    written += 1;
    const file = join(dir, `server-${process.pid}-${written}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`profile written to ${file}\n`);
  };
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!delay) {
        delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        if (!dir) return;
        const { Session } = await import('node:inspector/promises');
        const started = new Session();
        session = started;
        started.connect();
        await started.post('Profiler.enable');
        await started.post('Profiler.setSamplingInterval', { interval: 500 });
        await started.post('Profiler.start');
        return;
      }
      delay.disable();
      const answer: LoopDelay = {
        loopDelayP99Ms: Number((delay.percentile(99) / 1e6).toFixed(1)),
        loopDelayMaxMs: Number((delay.max / 1e6).toFixed(1)),
      };
      delay = null;
      await writeProfile();
      process.stdout.write(`WINDOW ${JSON.stringify(answer)}\n`);
    })();
  });
  return writeProfile;
}

async function serve(role: string): Promise<void> {
  const writeProfile = measureOnRequest(process.env.QUORUM_BENCH_PROFILE);
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
  type EchoClient = { send(type: string, message: unknown): void };
  /**
   * Echoes each action's seq: to the whole room, or with `groupSize`, to the sender's group (the
   * clients in join order, `groupSize` at a time), as Quorum answers a move to its group.
   */
  class EchoRoom extends Room {
    override maxClients = CLIENTS_PER_ROOM;
    private readonly groups = new Map<EchoClient, EchoClient[]>();
    private groupSize = 0;
    private filling: EchoClient[] = [];
    override onCreate(options: { clients?: number; groupSize?: number }): void {
      this.maxClients = options.clients ?? CLIENTS_PER_ROOM;
      this.groupSize = options.groupSize ?? 0;
      this.onMessage('act', (client, message: { seq: number }) => {
        const group = this.groups.get(client);
        if (!group) return this.broadcast('view', { lastSeq: message.seq });
        for (const member of group) member.send('view', { lastSeq: message.seq });
      });
    }
    override onJoin(client: EchoClient): void {
      if (this.groupSize === 0) return;
      if (this.filling.length === this.groupSize) this.filling = [];
      this.filling.push(client);
      this.groups.set(client, this.filling);
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

/** A server child: its port, and the windows it measures of itself. */
interface ServerChild {
  process: ChildProcess;
  port: number;
  /** Tells the child a measured window starts, or ends: then it answers with its event loop's delay. */
  window(edge: 'start'): void;
  window(edge: 'end'): Promise<LoopDelay>;
}

function startChild(role: string, profileDir: string | null = null): Promise<ServerChild> {
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench', 'server.ts')], {
    cwd: ROOT,
    env: { ...process.env, QUORUM_BENCH_ROLE: role, ...(profileDir ? { QUORUM_BENCH_PROFILE: profileDir } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const answers: ((delay: LoopDelay) => void)[] = [];
  function window(edge: 'start'): void;
  function window(edge: 'end'): Promise<LoopDelay>;
  function window(edge: 'start' | 'end'): void | Promise<LoopDelay> {
    const answer = edge === 'end' ? new Promise<LoopDelay>((r) => answers.push(r)) : undefined;
    child.kill('SIGUSR2');
    return answer;
  }
  return new Promise((resolvePort, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const port = /^PORT (\d+)$/.exec(line);
        if (port) resolvePort({ process: child, port: Number(port[1]), window });
        else if (line.startsWith('WINDOW ')) answers.shift()?.(JSON.parse(line.slice('WINDOW '.length)) as LoopDelay);
      }
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

/** Idle turns a class's student waits before starting a new ballot: one to three. */
const patience = (): number => 1 + Math.floor(Math.random() * 3);

/**
 * A class's student answers and proposes as in `chooseAction`, but starts a new ballot only after a
 * few turns with nothing else to do: five students each starting one at every idle turn pre-empt
 * each other for ever, and a round is never decided.
 */
function chooseClassAction(player: Player): Action | null {
  const legal = player.view?.legal ?? [];
  const move = legal.find((a) => a.kind !== 'prepare' && a.kind !== 'abort');
  if (move) {
    player.idleTurns = 0;
    return move;
  }
  player.idleTurns += 1;
  if (player.idleTurns < player.patience) return null;
  player.idleTurns = 0;
  player.patience = patience();
  return legal[0] ?? null;
}

/** What the students received and how long their actions waited, counted while a window is measured. */
class Meter {
  measuring = false;
  /** Set when the clients leave on purpose: from then on a closed connection is not an error. */
  leaving = false;
  latencies: number[] = [];
  actions = 0;
  frames = 0;
  bytes = 0;
  late = 0;
  /** Over the whole run: connections lost and joins that failed. */
  leaves = 0;
  joinFailures = 0;
}

interface Player {
  room: ClientRoom;
  view?: NodeView;
  /** Sent actions waiting for their view: seq to the time it was sent, and whether it was sent in a measured window. */
  pending: Map<number, { at: number; measured: boolean }>;
  seq: number;
  /** The round's phase as the last view or clock said: a player moves only while it runs, as the game's buttons allow. */
  phase: RoundPhase | null;
  /** Turns in a row with nothing to answer or propose, and how many of them this player waits before a new ballot. */
  idleTurns: number;
  patience: number;
}

/** Calls `count` with the size of every frame that arrives on the room's connection, whatever it holds. */
function onFrame(room: ClientRoom, count: (bytes: number) => void): void {
  (room.connection.transport as unknown as { ws: { on(event: 'message', f: (data: { byteLength: number }) => void): void } }).ws.on('message', (data) =>
    count(data.byteLength),
  );
}

/** A connected student: it keeps its view and times its actions until their views come back. */
function follow(room: ClientRoom, kind: 'quorum' | 'echo', meter: Meter): Player {
  onFrame(room, (bytes) => {
    if (!meter.measuring) return;
    meter.frames += 1;
    meter.bytes += bytes;
  });
  const player: Player = { room, pending: new Map(), seq: 0, phase: null, idleTurns: 0, patience: patience() };
  const views = new ViewAssembler();
  room.onMessage('*', (type: string | number, message: { lastSeq?: number; phase?: RoundPhase }) => {
    if (type === 'clock') player.phase = message.phase!;
    if (type !== 'view') return;
    // The echo room's views are bare sequence numbers; Quorum's are whole views or patches.
    if (kind === 'quorum') {
      const whole = views.accept(message as ViewFrame);
      player.view = whole.view as NodeView;
      player.phase = whole.round.phase;
    }
    for (const [seq, sent] of player.pending) {
      if (seq > (message.lastSeq ?? 0)) break;
      if (sent.measured) meter.latencies.push(performance.now() - sent.at);
      player.pending.delete(seq);
    }
  });
  room.onLeave(() => {
    if (!meter.leaving) meter.leaves += 1;
  });
  return player;
}

/**
 * Every player takes a turn about once a second, at its own phase, until the returned function stops
 * them: an echo client always acts; a Quorum student picks a move while its round runs.
 */
function actEverySecond(players: readonly Player[], kind: 'quorum' | 'echo' | 'class', meter: Meter): () => void {
  const choose = (player: Player): Action | { kind: 'echo' } | null => {
    if (kind === 'echo') return { kind: 'echo' };
    if (player.phase !== 'running') return null;
    return kind === 'class' ? chooseClassAction(player) : chooseAction(player.view);
  };
  const timers = players.map((player, i) =>
    setTimeout(function actNow(): void {
      const action = choose(player);
      if (action) {
        player.seq += 1;
        player.pending.set(player.seq, { at: performance.now(), measured: meter.measuring });
        player.room.send('act', { seq: player.seq, action });
        if (meter.measuring) meter.actions += 1;
      }
      timers[i] = setTimeout(actNow, 800 + Math.random() * 400);
    }, Math.random() * 1000),
  );
  const sweeper = setInterval(() => sweepLate(players, meter), 500);
  return () => {
    timers.forEach((t) => clearTimeout(t));
    clearInterval(sweeper);
  };
}

/** Actions of a measured window that never got their view within 5 s count as errors. */
function sweepLate(players: readonly Player[], meter: Meter): void {
  const now = performance.now();
  for (const player of players) {
    for (const [seq, sent] of player.pending) {
      if (now - sent.at <= LATE_MS) break;
      if (sent.measured) meter.late += 1;
      player.pending.delete(seq);
    }
  }
}

const waitingMeasured = (players: readonly Player[]): boolean => players.some((p) => [...p.pending.values()].some((sent) => sent.measured));

/**
 * Measures one window of `seconds` on a load already running: the clients' figures and the server
 * process's CPU and memory. Leaves not counted in an earlier window count in this one.
 */
async function measureWindow(meter: Meter, players: readonly Player[], server: ServerChild, seconds: number, leavesBefore: number): Promise<Figures> {
  const pid = server.process.pid!;
  Object.assign(meter, { latencies: [], actions: 0, frames: 0, bytes: 0, late: 0 });
  meter.measuring = true;
  server.window('start');
  const before = usage(pid);
  const clientBefore = process.cpuUsage();
  const machineBefore: CpuTimes | null = readCpuTimes();
  const start = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  const after = usage(pid);
  const client = process.cpuUsage(clientBefore);
  const steal = stealPercent(machineBefore, readCpuTimes());
  meter.measuring = false;
  const loop = await server.window('end');
  // The window's last actions get their 5 s too.
  const waited = performance.now();
  while (waitingMeasured(players) && performance.now() - waited <= LATE_MS + 100) await sleep(50);
  sweepLate(players, meter);

  const latencies = meter.latencies.sort((a, b) => a - b);
  const leaves = meter.leaves - leavesBefore;
  return {
    clients: players.length,
    actionsPerSecond: Math.round(meter.actions / elapsed),
    framesPerSecond: Math.round(meter.frames / elapsed),
    kbPerSecond: Math.round(meter.bytes / 1024 / elapsed),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    cpuPercent: Number((((after.cpu - before.cpu) / elapsed) * 100).toFixed(1)),
    rssMb: Number(after.rssMb.toFixed(1)),
    errors: meter.late + leaves + meter.joinFailures,
    lateViews: meter.late,
    leaves,
    joinFailures: meter.joinFailures,
    ...loop,
    stealPercent: steal,
    clientCpuPercent: Number((((client.user + client.system) / 1e6 / elapsed) * 100).toFixed(1)),
    loadAverage: Number(loadavg()[0]!.toFixed(2)),
  };
}

async function createClass(url: string): Promise<{ code: string; instructorKey: string }> {
  const res = await fetch(`${url}/api/classes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (res.status !== 201) throw new Error(`creating a class: ${res.status} ${await res.text()}`);
  return (await res.json()) as { code: string; instructorKey: string };
}

async function roomsLoad(kind: 'quorum' | 'echo', server: ServerChild, rooms: number, seconds: number, log: (s: string) => void): Promise<Figures & { rooms: number }> {
  const url = `http://127.0.0.1:${server.port}`;
  const meter = new Meter();
  const players: Player[] = [];

  for (let r = 0; r < rooms; r++) {
    try {
      let code = '';
      let host: ClientRoom | null = null;
      if (kind === 'quorum') {
        const made = await createClass(url);
        code = made.code;
        host = await new Client(url).join('classroom', { code, instructorKey: made.instructorKey });
        host.onMessage('*', () => {});
        host.send('setup', { protocol: 'paxos', nodes: CLIENTS_PER_ROOM, sandbox: true });
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
        players.push(follow(room, kind, meter));
      }
      if (host) {
        // The instructor starts the round and leaves: the load is the six students, as in the echo room.
        host.send('start', {});
        await sleep(20);
        await host.leave(true).catch(() => {});
      }
    } catch (error) {
      meter.joinFailures += 1;
      log(`room ${r}: ${(error as Error).message}`);
    }
    if ((r + 1) % 50 === 0) log(`${kind}: ${r + 1} rooms joined`);
  }

  const stop = actEverySecond(players, kind, meter);
  await sleep(WARM_UP_MS);
  const figures = await measureWindow(meter, players, server, seconds, 0);
  stop();
  meter.leaving = true;
  await Promise.all(players.map((p) => p.room.leave(true).catch(() => {})));
  return { rooms, ...figures };
}

/** A class's window: the students' figures, the instructor's share of the traffic, and the rounds that ended in it. */
interface ClassFigures extends Figures {
  instructorFramesPerSecond: number;
  instructorKbPerSecond: number;
  roundsCompleted: number;
  /** Controls of the instructor's that the server refused (a race with a round's end, say). */
  refusedControls: number;
  /** Students' moves the server refused (a move sent as the round ended). */
  refusedActs: number;
}

/**
 * The instructor of a class of many groups: watches every group's summary and starts the next round
 * of each group whose round has ended, so that the load stays steady; counts the rounds completed.
 */
class Instructor {
  groups: GroupSummary[] = [];
  rounds = 0;
  refused = 0;
  frames = 0;
  bytes = 0;
  private readonly ended = new Set<string>();
  /** Groups sent `nextRound` and `start`, until a summary shows their round no longer ended. */
  private readonly restarting = new Set<number>();
  private roundsGoOn = false;

  constructor(
    readonly room: ClientRoom,
    meter: Meter,
    log: (s: string) => void,
  ) {
    onFrame(room, (bytes) => {
      if (!meter.measuring) return;
      this.frames += 1;
      this.bytes += bytes;
    });
    room.onMessage('*', (type: string | number, message: unknown) => {
      if (type === 'groups') this.summaries((message as { groups: GroupSummary[] }).groups);
      else if (type === 'rejected') {
        this.refused += 1;
        if (this.refused <= 5) log(`instructor refused: ${JSON.stringify(message)}`);
      }
    });
    room.onLeave(() => {
      if (!meter.leaving) meter.leaves += 1;
    });
  }

  /** Starts every group's round; from then on, the next round of each group whose round ends. */
  startAll(): void {
    this.roundsGoOn = true;
    this.room.send('start', {});
  }

  private summaries(groups: GroupSummary[]): void {
    this.groups = groups;
    for (const g of groups) {
      if (g.round.phase !== 'ended') this.restarting.delete(g.group);
      else if (g.round.id !== null && !this.ended.has(g.round.id)) {
        this.ended.add(g.round.id);
        this.rounds += 1;
      }
    }
    if (!this.roundsGoOn) return;
    const ended = groups.filter((g) => g.round.phase === 'ended' && !this.restarting.has(g.group));
    if (ended.length === 0) return;
    if (ended.length === groups.length) {
      this.room.send('nextRound', {});
      this.room.send('start', {});
    } else {
      for (const g of ended) {
        this.room.send('nextRound', { group: g.group });
        this.room.send('start', { group: g.group });
      }
    }
    for (const g of ended) this.restarting.add(g.group);
  }
}

/** The class's figures at speed 1 and speed 4, and how many groups it made. */
async function classLoad(server: ServerChild, students: number, seconds: number, log: (s: string) => void): Promise<{ groups: number; roundsCompleted: number; speed1: ClassFigures; speed4: ClassFigures }> {
  const url = `http://127.0.0.1:${server.port}`;
  const meter = new Meter();
  const made = await createClass(url);
  const instructor = new Instructor(await new Client(url).join('classroom', { code: made.code, instructorKey: made.instructorKey }), meter, log);
  instructor.room.send('setup', { protocol: 'paxos', nodes: GROUP_SIZE, groupSize: GROUP_SIZE });

  const players: Player[] = [];
  let refusedActs = 0;
  for (let s = 0; s < students; s++) {
    try {
      const room = await new Client(url).join('classroom', { code: made.code, nickname: `s${s}` });
      room.onMessage('rejected', () => {
        if (meter.measuring) refusedActs += 1;
      });
      players.push(follow(room, 'quorum', meter));
    } catch (error) {
      meter.joinFailures += 1;
      log(`student ${s}: ${(error as Error).message}`);
    }
    if ((s + 1) % 50 === 0) log(`class: ${s + 1} students joined`);
  }
  instructor.startAll();
  const stop = actEverySecond(players, 'class', meter);
  await sleep(WARM_UP_MS);

  const window = async (leavesBefore: number): Promise<ClassFigures> => {
    const rounds = instructor.rounds;
    const refused = instructor.refused;
    refusedActs = 0;
    Object.assign(instructor, { frames: 0, bytes: 0 });
    const figures = await measureWindow(meter, players, server, seconds, leavesBefore);
    // measureWindow waits for the last views; the instructor's traffic is over the window proper.
    return {
      ...figures,
      instructorFramesPerSecond: Math.round(instructor.frames / seconds),
      instructorKbPerSecond: Math.round(instructor.bytes / 1024 / seconds),
      roundsCompleted: instructor.rounds - rounds,
      refusedControls: instructor.refused - refused,
      refusedActs,
    };
  };
  const speed1 = await window(0);
  log(`class at speed 1: ${JSON.stringify(speed1)}`);
  instructor.room.send('speed', { speed: 4 });
  await sleep(1000);
  const speed4 = await window(speed1.leaves);
  log(`class at speed 4: ${JSON.stringify(speed4)}`);
  stop();
  meter.leaving = true;
  await Promise.all([...players.map((p) => p.room.leave(true).catch(() => {})), instructor.room.leave(true).catch(() => {})]);
  return { groups: instructor.groups.length, roundsCompleted: instructor.rounds, speed1, speed4 };
}

/** The floor of a class: the same students in one bare echo room, each action echoed to the sender's group. */
async function echoClassLoad(server: ServerChild, students: number, seconds: number, log: (s: string) => void): Promise<Figures> {
  const url = `http://127.0.0.1:${server.port}`;
  const meter = new Meter();
  const players: Player[] = [];
  let roomId = '';
  for (let s = 0; s < students; s++) {
    try {
      const room = roomId === '' ? await new Client(url).create('echo', { clients: students, groupSize: GROUP_SIZE }) : await new Client(url).joinById(roomId, {});
      roomId = room.roomId;
      players.push(follow(room, 'echo', meter));
    } catch (error) {
      meter.joinFailures += 1;
      log(`echo client ${s}: ${(error as Error).message}`);
    }
  }
  const stop = actEverySecond(players, 'echo', meter);
  await sleep(WARM_UP_MS);
  const figures = await measureWindow(meter, players, server, seconds, 0);
  stop();
  meter.leaving = true;
  await Promise.all(players.map((p) => p.room.leave(true).catch(() => {})));
  return figures;
}

/** Runs `body` against a fresh server child of this role, and stops the child afterwards. */
async function withChild<T>(role: 'quorum' | 'echo', profileDir: string | null, body: (server: ServerChild) => Promise<T>): Promise<T> {
  const server = await startChild(role, profileDir);
  try {
    return await body(server);
  } finally {
    server.process.kill('SIGTERM');
    await new Promise((r) => server.process.once('exit', r));
  }
}

const ratio = (a: number, b: number): number => Number((b > 0 ? a / b : 0).toFixed(2));

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}`);
    process.exit(2);
  }
  const { seconds, profileDir } = options;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);

  if (options.students !== null) {
    const students = options.students;
    const quorum = await withChild('quorum', profileDir, (server) => classLoad(server, students, seconds, log));
    const baseline = await withChild('echo', null, (server) => echoClassLoad(server, students, seconds, log));
    log(`echo: ${JSON.stringify(baseline)}`);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'server-class',
        students,
        groups: quorum.groups,
        seconds,
        roundsCompleted: quorum.roundsCompleted,
        speed1: quorum.speed1,
        speed4: quorum.speed4,
        baseline,
        p99Ratio1: ratio(quorum.speed1.p99Ms, baseline.p99Ms),
        p99Ratio4: ratio(quorum.speed4.p99Ms, baseline.p99Ms),
      })}\n`,
    );
    return;
  }

  const rooms = options.rooms;
  const quorum = await withChild('quorum', profileDir, (server) => roomsLoad('quorum', server, rooms, seconds, log));
  log(`quorum: ${JSON.stringify(quorum)}`);
  const echo = await withChild('echo', null, (server) => roomsLoad('echo', server, rooms, seconds, log));
  log(`echo: ${JSON.stringify(echo)}`);
  process.stdout.write(
    `${JSON.stringify({ ...quorum, echo: { p50Ms: echo.p50Ms, p99Ms: echo.p99Ms, cpuPercent: echo.cpuPercent, rssMb: echo.rssMb, errors: echo.errors, framesPerSecond: echo.framesPerSecond, kbPerSecond: echo.kbPerSecond, stealPercent: echo.stealPercent }, p99Ratio: ratio(quorum.p99Ms, echo.p99Ms), cpuRatio: ratio(quorum.cpuPercent, echo.cpuPercent) })}\n`,
  );
}

if (process.env.QUORUM_BENCH_ROLE) {
  serve(process.env.QUORUM_BENCH_ROLE).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
