/**
 * Rounds played as a class plays them, for the class's results: bots at free seats, students at
 * theirs (pressing the buttons a faithful bot would, now and then a move the engine refuses, which
 * is recorded as the server records it), a seat changing hands, a bot on autopilot at a student's
 * seat, and faults at set ticks. Also scripted rounds, whose refused moves are recorded the same way.
 */
import { botDecide } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { parseScriptLine } from '../../shared/engine/script';
import { localOf, step } from '../../shared/engine/step';
import type { Action, Command, NodeId, ProtocolName, RoundConfig, Settings, World } from '../../shared/engine/types';
import type { RecordedRejection } from '../../shared/engine/timeline';
import { roundOver, viewOf } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { protocolFor } from '../../shared/protocols';
import type { PlayedRound, SeatHolder } from '../../shared/results';

export interface StudentPlan {
  nickname: string;
  node: NodeId;
  /** The tick the student takes the seat (0: from the start) and the tick they leave it (none: the end). */
  fromTick?: number;
  toTick?: number;
  /** Chance per tick of trying a move the engine refuses. */
  blunder?: number;
  /** Makes this many moves, then does nothing more. */
  movesAtMost?: number;
  /** From this tick on a bot plays the seat for the student (autopilot). */
  autopilotFromTick?: number;
  /** Presses any button offered, now and then, rather than the one a faithful bot would. */
  anyButton?: boolean;
}

export interface ClassRoundPlan {
  protocol: ProtocolName;
  nodes: number;
  seed: number;
  group: number;
  students: StudentPlan[];
  settings?: Partial<Settings>;
  ticks?: number;
  /** Commands the instructor injects at a tick, after the clock ticked. */
  faults?: Record<number, Command[]>;
  /** Keep playing after the round is over by itself (as until the instructor ends it). */
  untilTicks?: boolean;
}

export interface ClassRound {
  played: PlayedRound;
  world: World;
  /** The world after each command: worlds[i + 1] is the world after command i. */
  worlds: World[];
}

/** A move of this node that the engine refuses: an answer to a message it does not hold, or a move that breaks a rule. */
function blunderOf(world: World, node: NodeId, rng: Rng): Action | null {
  const protocol = protocolFor(world.config.protocol);
  const local = localOf(world, node);
  const answers = protocol.legalActions(local).filter((a) => typeof a.msg === 'number');
  const wrong = answers.length > 0 ? [{ ...rng.pick(answers)!, msg: 9_999 }] : [];
  const options = [...wrong, ...protocol.ruleBreakingCandidates(local)];
  return rng.pick(options) ?? null;
}

export function playClassRound(plan: ClassRoundPlan): ClassRound {
  const config = makeConfig(plan.protocol, plan.nodes, plan.seed, { latencyMin: 1, latencyMax: 3, decrees: ['X', 'Y'], ...plan.settings });
  const rng = Rng.fromSeed(plan.seed ^ 0xc1a55);
  let world = createWorld(config);
  const worlds = [world];
  const log: Command[] = [];
  const rejections: RecordedRejection[] = [];
  const holders: SeatHolder[] = [];
  const botMoves: number[] = [];
  const moved = new Map<string, number>();
  const apply = (command: Command): boolean => {
    const result = step(world, command);
    if (!result.ok) return false;
    world = result.world;
    log.push(command);
    worlds.push(world);
    return true;
  };
  const seatsAt = (tick: number): Map<NodeId, StudentPlan> =>
    new Map(plan.students.filter((s) => (s.fromTick ?? 0) <= tick && (s.toTick === undefined || tick < s.toTick)).map((s) => [s.node, s]));

  // Seats change hands between ticks: a holder's steps run from the first command after they sit down.
  let seated = new Map<NodeId, StudentPlan>();
  const reseat = (tick: number): void => {
    const next = seatsAt(tick);
    for (const [node, s] of seated) {
      if (next.get(node) !== s) holders.find((h) => h.nickname === s.nickname && h.node === node && h.to === null)!.to = log.length;
    }
    for (const [node, s] of next) if (seated.get(node) !== s) holders.push({ node, nickname: s.nickname, from: log.length, to: null });
    seated = next;
  };
  reseat(0);
  const protocol = protocolFor(plan.protocol);
  for (const request of protocol.clients.openingRequests(config.settings.decrees, config, rng)) apply({ type: 'propose', ...request });

  const ticks = plan.ticks ?? 200;
  for (let t = 1; t <= ticks; t++) {
    apply({ type: 'tick' });
    reseat(world.tick);
    for (const command of plan.faults?.[world.tick] ?? []) apply(command);
    for (const node of rng.shuffle(Array.from({ length: plan.nodes }, (_, i) => i))) {
      const student = seated.get(node);
      const autopilot = student?.autopilotFromTick !== undefined && world.tick >= student.autopilotFromTick;
      if (student && !autopilot) {
        if ((moved.get(student.nickname) ?? 0) >= (student.movesAtMost ?? Infinity) || world.nodes[node]!.crashed) continue;
        if (rng.chance(student.blunder ?? 0)) {
          const action = blunderOf(world, node, rng);
          if (action) {
            const result = step(world, { type: 'act', node, action });
            if (!result.ok) rejections.push({ step: world.step, node, code: result.rejection.code, message: result.rejection.message });
            else apply({ type: 'act', node, action });
            continue;
          }
        }
      }
      const view = viewOf(world, node);
      const pressed = student?.anyButton && !autopilot && rng.chance(0.3) ? rng.pick(view.legal) : undefined;
      const command = pressed ? { type: 'act' as const, node, action: pressed } : botDecide('faithful', view, rng, false);
      if (!command || !apply(command)) continue;
      if (student && autopilot) botMoves.push(log.length - 1);
      else if (student) moved.set(student.nickname, (moved.get(student.nickname) ?? 0) + 1);
    }
    if (!plan.untilTicks && roundOver(world)) break;
  }
  return { played: { id: `round-${plan.group}-${plan.seed}`, group: plan.group, config, log, rejections, holders, botMoves }, world, worlds };
}

/**
 * A scripted round (see shared/engine/script.ts). A line starting with "try " is a move a student
 * tries: applied if the engine accepts it, else recorded as a refusal, as the server records it.
 */
export function scriptedRound(lines: readonly string[], holders: SeatHolder[], group = 1): ClassRound {
  let config: RoundConfig | null = null;
  let world: World | null = null;
  const worlds: World[] = [];
  const log: Command[] = [];
  const rejections: RecordedRejection[] = [];
  for (const raw of lines) {
    const trying = raw.startsWith('try ');
    const parsed = parseScriptLine(trying ? raw.slice(4) : raw);
    if (parsed.kind === 'config') {
      config = parsed.config;
      world = createWorld(config);
      worlds.push(world);
      continue;
    }
    if (!world) throw new Error('script must start with config');
    for (const command of parsed.commands) {
      const result = step(world, command);
      if (!result.ok) {
        if (!trying) throw new Error(`refused ${raw}: ${result.rejection.message}`);
        rejections.push({ step: world.step, node: command.type === 'act' ? command.node : null, code: result.rejection.code, message: result.rejection.message });
        continue;
      }
      world = result.world;
      log.push(command);
      worlds.push(world);
    }
  }
  if (!config || !world) throw new Error('empty script');
  return { played: { id: `scripted-${group}`, group, config, log, rejections, holders, botMoves: [] }, world, worlds };
}
