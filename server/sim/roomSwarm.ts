/**
 * The room swarm: one seed drives a class through its room core, hosted in memory. Students join,
 * leave, drop and come back inside their reconnection window or after it, take their node back by
 * their nickname, act (legal moves, refused ones, stale and far-ahead numbers, garbage); the
 * instructor sets rounds up, starts, pauses, steps, changes the speed, injects faults, turns
 * autopilot on and off, moves and kicks students, ends rounds; the store fails now and then; time
 * passes, firing ticks, deadlines and windows. It checks:
 *
 * - after every step, that every seat is held by exactly one bot or one student, as the roster says
 *   and as each student was welcomed, and that the roster lists exactly the students in the class;
 * - after every call into the core, that no student was sent another node's view, private state or
 *   events, or the contents of a message between two others;
 * - that every `act` the core acknowledged is in the stored log exactly once, and a refused one not at all;
 * - that each member's view, rebuilt by the client's own assembler from the whole views and patches it
 *   was sent, is what the engine says that node may see of the world the stored log replays to (and
 *   that a `clock` instead of a view means that nothing else of it changed).
 */
import { createWorld, eventsFor, protocolFor, protocolNames, Rng, step, viewOf, type Command, type GodView, type NodeView, type World } from '../../shared';
import { ViewCache } from '../../shared/engine/view';
import { MAX_GROUPS, type ViewFrame, type ViewMessage } from '../../shared/wire/messages';
import { sameValue } from '../../shared/wire/viewPatch';
import type { Effect, MemberId } from '../core/effects';
import { MemoryHost, type MemoryClient, type StoredRound } from './host';

export interface RoomViolation {
  seed: number;
  step: number;
  code: string;
  message: string;
}

export interface RoomSeedResult {
  seed: number;
  steps: number;
  violations: RoomViolation[];
  /** How much of the room the seed exercised. */
  counts: Record<string, number>;
}

export interface RoomSwarmOptions {
  /** Moves per seed. */
  steps?: number;
  /** Changes each effect before the clients get it: a broken server, for showing that the checks catch it. */
  tamper?: (effect: Effect) => Effect;
}

const NICKNAMES = ['Ann', 'Ben', 'Cal', 'Dee', 'Eve', 'Fay'];
/** Look-alikes of the names above (Cyrillic letters, I for l, an accent), which the class must refuse while the name is in it. */
const LOOKALIKES: Record<string, string> = { Ann: '\u0410nn', Ben: '\u0412en', Cal: 'CaI', Dee: 'D\u00e9e', Eve: 'Ev\u0435', Fay: 'F\u0430y' };
const TICK_MS = 100;
const WINDOW_MS = 3000;

interface Student {
  name: string;
  client: MemoryClient;
}

interface SentAct {
  member: MemberId;
  name: string;
  seq: number;
  action: unknown;
  node: number | null;
  roundId: string | null;
  logLength: number;
}

export function runRoomSeed(seed: number, options: RoomSwarmOptions = {}): RoomSeedResult {
  const rng = Rng.fromSeed(seed ^ 0x7e57ab1e);
  const steps = options.steps ?? 60;
  const violations: RoomViolation[] = [];
  const counts: Record<string, number> = {};
  const count = (what: string, n = 1): void => void (counts[what] = (counts[what] ?? 0) + n);
  let stepNo = 0;
  const fail = (code: string, message: string): void => {
    count('violations');
    if (violations.length < 20) violations.push({ seed, step: stepNo, code, message });
  };

  const students = new Map<string, Student>();
  let teacher: MemoryClient | null = null;
  let sentActs: SentAct[] = [];
  /** Store failures planted and not yet reported. */
  let planted = 0;

  // The worlds the stored logs replay to, kept command by command as they are appended.
  const views = new ViewCache();
  const shadows = new Map<string, World>();
  const host = new MemoryHost({
    seed,
    limits: { tickMs: TICK_MS, reconnectSeconds: WINDOW_MS / 1000, maxRoundTicks: 300, classIdleMinutes: 24 * 60 },
    observe: (effects) => checkCall(effects),
    ...(options.tamper ? { tamper: options.tamper } : {}),
  });
  host.store.onAppend = (round: StoredRound, command: Command) => {
    const result = step(shadows.get(round.id) ?? createWorld(round.config), command);
    if (!result.ok) fail('log-does-not-replay', `${JSON.stringify(command)} is refused on replay: ${result.rejection.message}`);
    else shadows.set(round.id, result.world);
  };


  const logOf = (roundId: string | null): Command[] => (roundId ? (host.store.rounds.get(roundId)?.commands ?? []) : []);

  /** The world a round's views are made from: the one its stored log replays to, or, for a round being set up, a fresh world of the config the instructor's god view shows. */
  const worldOf = (round: ViewMessage['round']): World | null => {
    if (round.id !== null) {
      const shadow = shadows.get(round.id);
      if (shadow) return shadow;
      const stored = host.store.rounds.get(round.id);
      return stored ? createWorld(stored.config) : null;
    }
    const god = teacher?.lastView?.view as GodView | undefined;
    return god?.kind === 'god' ? createWorld(god.config) : null;
  };

  // ---- Checks ----------------------------------------------------------------------------------

  function checkCall(effects: Effect[]): void {
    if (!teacher) return;
    const touched = new Set<MemberId>();
    for (const effect of effects) {
      if (effect.type === 'fault') {
        if (planted > 0) planted -= 1;
        else fail('fault', `${effect.where}: ${String(effect.error)}`);
      }
      if (effect.type === 'send' && (effect.message.type === 'view' || effect.message.type === 'clock')) touched.add(effect.to);
    }
    checkActs(effects);
    checkPrivacy(effects);
    for (const member of touched) checkView(member);
  }

  function checkActs(effects: Effect[]): void {
    const acts = sentActs;
    sentActs = [];
    for (const act of acts) {
      const answers = effects.filter(
        (e) =>
          e.type === 'send' &&
          e.to === act.member &&
          ((e.message.type === 'view' && (e.message.body as ViewFrame).accepted === act.seq) || (e.message.type === 'rejected' && e.message.body.seq === act.seq)),
      );
      // An act that tips its sender over the flood limit is not answered: the connection is closed.
      const flooded = effects.some((e) => e.type === 'disconnect' && e.member === act.member && e.why === 'flooded');
      if (answers.length !== (flooded ? 0 : 1)) {
        fail('act-answers', `act ${act.seq} of ${act.name} got ${answers.length} answers`);
        continue;
      }
      const appended = logOf(act.roundId).slice(act.logLength);
      const accepted = answers[0]?.type === 'send' && answers[0].message.type === 'view';
      if (!accepted) {
        if (appended.length > 0) fail('refused-act-logged', `act ${act.seq} of ${act.name} was refused, yet the log gained ${JSON.stringify(appended)}`);
        continue;
      }
      count('acts acknowledged');
      const mine = appended.filter((c) => c.type === 'act' && c.node === act.node && sameValue(c.action, act.action));
      if (appended.length !== 1 || mine.length !== 1) {
        fail('act-not-logged-once', `act ${act.seq} of ${act.name} (node ${act.node}) was acknowledged; the log gained ${JSON.stringify(appended)}`);
      }
    }
  }

  function checkPrivacy(effects: Effect[]): void {
    // Each frame against the node its student held when it was sent.
    const nodeOf = new Map<MemberId, number | null>();
    for (const effect of effects) {
      if (effect.type !== 'send' || effect.to === teacher!.member) continue;
      const client = host.clientOf(effect.to);
      const { type, body } = effect.message;
      if (type === 'welcome') nodeOf.set(effect.to, body.node);
      if (type === 'roster') fail('roster-to-student', `a student was sent the roster`);
      if (type !== 'view') continue;
      const node = nodeOf.has(effect.to) ? nodeOf.get(effect.to)! : (client?.node ?? null);
      const frame = body as ViewFrame;
      const who = `the student on node ${node}`;
      if (frame.view && (frame.view.kind !== 'node' || frame.view.node !== node)) {
        fail('leak-view', `${who} was sent the view of ${frame.view.kind === 'node' ? `node ${frame.view.node}` : 'the god'}`);
      }
      for (const m of frame.view?.kind === 'node' ? frame.view.inFlight : (frame.patch?.add ?? [])) {
        if (m.from !== node && m.to !== node && (m.payload !== null || m.label !== null)) fail('leak-message', `${who} was sent the contents of message ${m.id} from ${m.from} to ${m.to}`);
      }
      for (const entry of frame.view?.kind === 'node' ? frame.view.inbox : (frame.patch?.inbox ?? [])) {
        if (!Array.isArray(entry) && entry.to !== node) fail('leak-inbox', `${who} was sent an inbox entry of node ${entry.to}`);
      }
      if (frame.patch?.self?.set && 'id' in frame.patch.self.set) fail('leak-self', `${who} was sent another node's state`);
      for (const event of frame.events ?? []) {
        if (node === null || eventsFor([event], node).length === 0) fail('leak-event', `${who} was sent "${event.text}"`);
        else if (event.message && event.message.from !== node && event.message.to !== node) fail('leak-event', `${who} was sent the event of a message between others`);
      }
    }
  }

  /** A member's picture (its last view, and the clock it heard since) is what the engine says of the world now. */
  function checkView(member: MemberId): void {
    const client = host.clientOf(member);
    if (!client?.open || !client.lastView) return;
    const view = client.lastView;
    const world = worldOf(view.round);
    if (!world) return fail('no-world', `no world for round ${view.round.id}`);
    let tick = view.view.now;
    for (let i = client.frames.length - 1; i >= 0; i--) {
      const frame = client.frames[i]!;
      if (frame.type === 'view') break;
      if (frame.type === 'clock') {
        tick = frame.body.tick;
        break;
      }
    }
    const who = client === teacher ? 'the instructor' : `node ${client.node}`;
    if (client.unassembled !== null) return fail('node-view', `${who}'s client could not assemble its view: ${client.unassembled}`);
    if (tick !== world.tick) return fail('stale-clock', `${who} is at tick ${tick}, the world at ${world.tick}`);
    if (view.view.kind === 'god') {
      if (client !== teacher) return fail('leak-god', 'a student holds the god view');
      // The god view is sent whole, as the engine makes it: it is of the right world when its step and config are.
      count('god views checked');
      if (view.view.step !== world.step || !sameValue(view.view.config, world.config)) fail('god-view', `the instructor sees step ${view.view.step}; the world is at step ${world.step}`);
      return;
    }
    // A round being set up is rebuilt from the config the instructor sees, which is that of the group they
    // selected: another group's round has a seed of its own, and a protocol may draw its first timers from it.
    if (view.round.id === null && client !== teacher) {
      const roster = teacher?.got.roster.at(-1);
      const name = [...students.values()].find((s) => s.client === client)?.name;
      const group = roster?.students.find((r) => r.nickname === name)?.group;
      if (roster && group !== roster.group) return count('setup views of another group');
    }
    count('node views checked');
    const expected = viewOf(world, view.view.node, views);
    const got = { ...view.view, now: tick } as unknown as Record<string, unknown>;
    if (!sameValue(got, expected)) {
      const diff = Object.keys(expected).filter((k) => !sameValue(got[k], (expected as unknown as Record<string, unknown>)[k]));
      fail('node-view', `${who}'s view, as its client assembled it, differs from the engine's in ${diff.join(', ')} at tick ${world.tick}`);
    }
  }

  function checkSeats(): void {
    const roster = teacher?.got.roster.at(-1);
    const round = teacher?.lastView?.round;
    if (!roster || !round) return;
    if (roster.seats.length !== round.nodes) fail('seats', `${roster.seats.length} seats in the roster of a ${round.nodes}-node round`);
    const held = new Map<number, string>();
    // The roster's seats are those of the instructor's selected group; students of other groups hold seats of theirs.
    for (const s of roster.students) {
      if (s.node === null || s.group !== roster.group) continue;
      if (held.has(s.node)) fail('seat-twice', `seat ${s.node} is held by ${held.get(s.node)} and ${s.nickname}`);
      held.set(s.node, s.nickname);
    }
    roster.seats.forEach((seat, node) => {
      const holder = held.get(node);
      if (seat.holder === 'bot' ? seat.nickname !== null || holder !== undefined : seat.nickname === null || seat.nickname !== holder) {
        fail('seat-holder', `seat ${node} is the ${seat.holder} ${seat.nickname}'s; the students say ${holder ?? 'nobody'}'s`);
      }
    });
    const present = [...students.values()];
    const listed = roster.students.map((s) => s.nickname).sort();
    if (!sameValue(listed, present.map((s) => s.name).sort())) fail('roster', `the roster lists ${listed.join(', ')}; the class has ${present.map((s) => s.name).join(', ')}`);
    for (const s of present) {
      const entry = roster.students.find((r) => r.nickname === s.name);
      if (!entry) continue;
      if (entry.connected !== s.client.open) fail('roster-connected', `${s.name} is ${s.client.open ? 'connected' : 'away'}; the roster says otherwise`);
      if (s.client.open && s.client.node !== entry.node) fail('welcome-seat', `${s.name} was welcomed to seat ${s.client.node}; the roster has them on ${entry.node}`);
    }
  }

  // ---- Moves -----------------------------------------------------------------------------------

  const pick = <T>(items: readonly T[]): T | undefined => rng.pick(items);
  // A class plays every protocol but those played only in their lesson.
  const god = (): GodView | null => (teacher?.lastView?.view.kind === 'god' ? (teacher.lastView.view as GodView) : null);
  const nodes = (): number => teacher?.lastView?.round.nodes ?? 5;
  const connected = (): Student[] => [...students.values()].filter((s) => s.client.open);
  const away = (): Student[] => [...students.values()].filter((s) => !s.client.open);

  const randomSetup = (): Record<string, unknown> => {
    const n = rng.int(3, 5);
    // The protocols a class may play (those kept for a lesson are refused), as registered now.
    const classProtocols = protocolNames().filter((p) => !protocolFor(p).lessonOnly);
    const setup: Record<string, unknown> = { protocol: pick(classProtocols), nodes: n, latencyMin: 1, latencyMax: rng.int(1, 4), decrees: rng.chance(0.5) ? ['X'] : ['X', 'Y', 'Z'] };
    if (rng.chance(0.4)) setup.studentSeats = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, rng.int(0, n));
    if (rng.chance(0.3)) setup.decisionDeadline = rng.int(1, 6);
    if (rng.chance(0.2)) setup.sandbox = true;
    if (rng.chance(0.2)) setup.gossip = true;
    // Now and then a timeout shorter than a round trip, which is refused.
    if (rng.chance(0.1)) setup.timeoutTicks = rng.int(1, 3);
    if (rng.chance(0.3)) setup.speed = pick([0.5, 1, 2, 4]);
    if (rng.chance(0.3)) setup.groupSize = rng.int(0, 3);
    return setup;
  };

  const act = (student: Student, action: unknown, seq: number): void => {
    const client = student.client;
    client.seq = Math.max(client.seq, seq);
    // The student's own group's round: each group plays its own.
    const roundId = client.lastView?.round.id ?? null;
    sentActs.push({ member: client.member, name: student.name, seq, action, node: client.node, roundId, logLength: logOf(roundId).length });
    count('acts sent');
    client.send('act', { seq, action });
  };

  /** Brings a student back on a new client, keeping the action numbers its page kept. */
  const backAs = (student: Student, client: MemoryClient): void => {
    client.seq = student.client.seq;
    student.client = client;
  };

  const kicked = new Set<string>();
  /** Half the controls act on every group, half on one (now and then one that does not exist). */
  const addressed = (): { group?: number } => {
    if (rng.chance(0.5)) return {};
    const groups = teacher!.got.groups.at(-1)?.groups ?? [];
    return { group: rng.chance(0.9) ? (pick(groups)?.group ?? 1) : rng.int(1, MAX_GROUPS) };
  };
  const moves: [number, () => void][] = [
    // Students come and go.
    [6, () => {
      const name = pick(NICKNAMES.filter((n) => !students.has(n)));
      if (!name) return;
      const joined = host.tryStudent(name);
      // A kick sticks: a kicked nickname stays out of the class.
      if (kicked.has(name)) {
        if (!('refusal' in joined) || joined.refusal !== 'kicked') fail('kick-sticks', `${name} was kicked, yet joined again`);
        else count('kicked names refused');
        if (!('refusal' in joined)) students.set(name, { name, client: joined });
        return;
      }
      if ('refusal' in joined) return fail('join', `${name} was refused: ${joined.message}`);
      students.set(name, { name, client: joined });
      count('joins');
    }],
    [1, () => {
      const s = pick([...students.values()]);
      if (s && !('refusal' in host.tryStudent(LOOKALIKES[s.name]!))) fail('lookalike', `${LOOKALIKES[s.name]} joined beside ${s.name}`);
    }],
    [2, () => {
      const s = pick(connected());
      if (!s) return;
      s.client.leave();
      students.delete(s.name);
      count('leaves');
    }],
    [3, () => {
      const s = pick(connected());
      if (!s) return;
      s.client.drop();
      count('drops');
    }],
    [3, () => {
      const s = pick(away());
      if (!s) return;
      backAs(s, host.reconnect(s.client.member));
      count('reconnects');
    }],
    [2, () => {
      // Back by nickname, the reconnection token lost: the same member, on the same node.
      const s = pick(away());
      if (!s) return;
      const joined = host.tryStudent(s.name);
      if ('refusal' in joined) return fail('rejoin', `${s.name} could not come back: ${joined.message}`);
      if (joined.member !== s.client.member) fail('rejoin', `${s.name} came back as another member`);
      backAs(s, joined);
      count('rejoins');
    }],
    // Students act.
    [16, () => {
      const s = pick(connected().filter((x) => x.client.node !== null));
      const view = s?.client.lastView?.view as NodeView | undefined;
      if (!s || !view || view.kind !== 'node') return;
      const roll = rng.int(0, 9);
      const seq = s.client.seq;
      if (roll < 7 && view.legal.length > 0) act(s, pick(view.legal), seq + 1);
      else if (roll === 7) act(s, { kind: pick(['vote', 'promise', 'accept', 'commit', 'prepare', 'ignore'])!, decree: 'Q', ballot: rng.int(0, 9) }, seq + 1);
      else if (roll === 8 && seq > 0) act(s, pick(view.legal) ?? { kind: 'vote' }, rng.int(1, seq));
      else act(s, { kind: 'vote' }, seq + 1001 + rng.int(0, 5));
    }],
    [1, () => void pick(connected())?.client.send(pick(['start', 'nope', 'kick', 'act'])!, pick([{}, { seq: 'x' }, [1], null]))],
    // The instructor.
    [2, () => void teacher!.send('setup', randomSetup())],
    [3, () => void teacher!.send('start', addressed())],
    [2, () => void teacher!.send('pause', addressed())],
    [2, () => void teacher!.send('resume', addressed())],
    [1, () => void teacher!.send('speed', { speed: pick([0.25, 1, 2, 8]), ...addressed() })],
    [2, () => void teacher!.send('stepOnce', addressed())],
    [1, () => void teacher!.send('endRound', addressed())],
    [2, () => void teacher!.send('nextRound', addressed())],
    [2, () => {
      // The instructor looks at another group (now and then one that does not exist).
      const groups = teacher!.got.groups.at(-1)?.groups ?? [];
      if (groups.length > 1) count('classes of several groups');
      teacher!.send('selectGroup', { group: rng.chance(0.9) ? (pick(groups)?.group ?? 1) : rng.int(1, MAX_GROUPS) });
    }],
    [3, () => {
      // The next round, at once: rounds end by themselves soon, and students play only while one runs.
      if (teacher!.lastView?.round.phase !== 'ended') return;
      teacher!.send('nextRound', {});
      teacher!.send('start', {});
    }],
    [1, () => void teacher!.send('autopilot', { node: rng.int(0, nodes() - 1), on: rng.chance(0.5) })],
    [1, () => {
      const s = pick([...students.values()]);
      if (s) teacher!.send('moveStudent', { nickname: rng.chance(0.8) ? s.name : LOOKALIKES[s.name], seat: rng.int(0, nodes() - 1) });
    }],
    [1, () => {
      const s = pick([...students.values()]);
      if (!s) return;
      students.delete(s.name);
      kicked.add(s.name);
      teacher!.send('kick', { nickname: s.name, reason: '' });
      count('kicks');
    }],
    [4, () => {
      // Faults, as an instructor injects them.
      const n = nodes();
      const id = pick(god()?.inFlight ?? [])?.id ?? rng.int(0, 30);
      const command = pick<Command>([
        { type: 'crash', node: rng.int(0, n - 1) },
        { type: 'recover', node: rng.int(0, n - 1) },
        { type: 'drop', id },
        { type: 'deliver', id },
        { type: 'delay', id, ticks: rng.int(1, 5) },
        { type: 'duplicate', id },
        { type: 'partition', groups: [[0], Array.from({ length: n - 1 }, (_, i) => i + 1)] },
        { type: 'heal' },
        { type: 'propose', node: rng.int(0, n - 1), decree: 'W' },
      ])!;
      teacher!.send('inject', { command });
      count('faults');
    }],
    [1, () => {
      // The store fails once: what it was to keep is refused, reported, and nothing changes.
      const store = host.store;
      const append = store.append;
      store.append = () => {
        store.append = append;
        planted += 1;
        throw new Error('the disk is full');
      };
      count('store failures');
    }],
    // Time passes: ticks, deadlines, windows.
    [10, () => host.advance(rng.int(1, 4) * TICK_MS)],
    [1, () => host.advance(WINDOW_MS + rng.int(0, 500))],
  ];
  const total = moves.reduce((sum, [weight]) => sum + weight, 0);

  teacher = host.instructor();
  teacher.send('setup', randomSetup());
  for (const name of NICKNAMES.slice(0, rng.int(0, 4))) students.set(name, { name, client: host.student(name) });
  if (rng.chance(0.7)) teacher.send('start', {});
  for (stepNo = 1; stepNo <= steps; stepNo++) {
    let roll = rng.int(0, total - 1);
    for (const [weight, move] of moves) {
      roll -= weight;
      if (roll < 0) {
        move();
        break;
      }
    }
    // Flood windows last a second: keep the class under the limit, as real clients are.
    if (stepNo % 20 === 0) host.advance(1000);
    // Who is gone: flooded, or away past their window.
    for (const s of [...students.values()]) {
      if (s.client.closed === 'flooded' || (!s.client.open && !host.windows.has(s.client.member))) {
        students.delete(s.name);
        if (s.client.closed === 'dropped') count('windows closed');
      }
    }
    checkSeats();
  }
  if (teacher.lastView?.round.phase !== 'setup') count('rounds started');
  for (const round of host.store.rounds.values()) count(`${round.config.protocol} rounds`);
  return { seed, steps, violations, counts };
}

/** Runs seeds `start` to `start + seeds - 1`; the totals and the first violations. */
export function runRoomSwarm(seeds: number, start = 0, options: RoomSwarmOptions = {}): { seeds: number; violations: RoomViolation[]; violating: number; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const violations: RoomViolation[] = [];
  let violating = 0;
  for (let seed = start; seed < start + seeds; seed++) {
    const result = runRoomSeed(seed, options);
    for (const [k, v] of Object.entries(result.counts)) counts[k] = (counts[k] ?? 0) + v;
    if (result.violations.length > 0) {
      violating += 1;
      if (violations.length < 20) violations.push(...result.violations.slice(0, 20 - violations.length));
    }
  }
  return { seeds, violations, violating, counts };
}
