/**
 * Running a lesson: a pure `LessonRun` (the lesson, the world, the objectives reached, the hints due,
 * the script rules fired) that follows the round command by command. Whoever owns the round (a room,
 * a solo page, `playLesson` below) applies every command through the engine's `step`, then hands the
 * result to `observe`; after each command it asks `scriptWants` for the commands the script fires
 * now and applies them the same way, before anything else moves (a bot, the clock). The script's
 * commands are then in the round's log like any other, and a replay of the log is the lesson again.
 */
import { botDecide, type BotKind } from '../bots';
import { Rng } from '../engine/rng';
import { step } from '../engine/step';
import type { Action, Command, EngineEvent, Message, NodeId, Rejection, RoundConfig, World } from '../engine/types';
import { viewOf, type NodeView } from '../engine/view';
import { createWorld, makeConfig } from '../engine/world';
import type { Lesson, LessonMoment, LessonRound } from './types';

/** How far the player has come with one objective. */
export interface ObjectiveProgress {
  id: string;
  /** The command (its index in the log) and tick at which it was reached, or null. */
  reached: { step: number; tick: number } | null;
}

/** A script rule that fired: what the narrative panel tells of it. */
export interface FiredRule {
  rule: string;
  /** The index in the log of its first command. */
  step: number;
  tick: number;
  why: string;
  told: 'now' | 'after';
  /** The engine refused its command (the moment had passed): it changed nothing. */
  refused: boolean;
}

/** A command the script wants applied now, with the rule that fires it. */
export interface ScriptedCommand {
  rule: string;
  why: string;
  told: 'now' | 'after';
  command: Command;
  /** Its place among the commands of one firing of the rule (0 for the first). */
  index: number;
}

/** A message delivered to a node, as the lesson remembers it (objectives may ask what a node heard). */
export interface Delivery {
  step: number;
  tick: number;
  message: Message;
}

export type LessonStatus = 'playing' | 'done' | 'dead-end';

export interface LessonRun {
  lesson: Lesson;
  world: World;
  /** Seats people hold: the script never moves for them. */
  people: readonly NodeId[];
  /** The last command applied and its events (null and none at the start). */
  last: { command: Command | null; events: readonly EngineEvent[] };
  objectives: readonly ObjectiveProgress[];
  /** The index of the first objective not reached; `steps.length` once all are. */
  current: number;
  /** The tick the current objective became current: its hints count from here. */
  currentSince: number;
  /** The current objective's hints that are due. */
  hints: readonly string[];
  /** Every script rule that fired, in order. */
  fired: readonly FiredRule[];
  /** How many times each rule fired, and the step of the world it last fired in. */
  firings: Readonly<Record<string, { count: number; atStep: number }>>;
  deliveries: readonly Delivery[];
  /** Moves the engine refused during the lesson, in order. */
  refusals: readonly { step: number; tick: number; node: NodeId | null; code: string; message: string }[];
  status: LessonStatus;
  /** Why the lesson can no longer reach its objectives, when it cannot. */
  deadEnd: { id: string; text: string; step: number; tick: number } | null;
}

/** The round config a lesson plays on. */
export function lessonConfig(lesson: Lesson): RoundConfig {
  const { protocol, nodes, seed, settings } = lesson.setup;
  return makeConfig(protocol, nodes, seed, { ...settings });
}

export interface StartOptions {
  /** Seats people hold (default: the solo player's seat). */
  people?: readonly NodeId[];
  /** The round's config, when the caller made it (it must be the lesson's: `lessonConfig`). */
  world?: World;
}

/** A lesson at its start: the world at tick 0 and nothing reached. Ask `scriptWants` next: the opening requests are the script's. */
export function startLesson(lesson: Lesson, options: StartOptions = {}): LessonRun {
  const world = options.world ?? createWorld(lessonConfig(lesson));
  const run: LessonRun = {
    lesson,
    world,
    people: options.people ?? [lesson.setup.player],
    last: { command: null, events: [] },
    objectives: lesson.steps.map((o) => ({ id: o.id, reached: null })),
    current: 0,
    currentSince: world.tick,
    hints: [],
    fired: [],
    firings: {},
    deliveries: [],
    refusals: [],
    status: 'playing',
    deadEnd: null,
  };
  return settle(run);
}

/** The moment the script and the objectives look at. */
export function momentOf(run: LessonRun): LessonMoment {
  return { world: run.world, command: run.last.command, events: run.last.events, run };
}

/**
 * The lesson after a command the engine accepted: `result` is what `step` returned for it. Pass the
 * `ScriptedCommand` when the command was the script's.
 */
export function observe(run: LessonRun, command: Command, result: { world: World; events: readonly EngineEvent[] }, scripted?: ScriptedCommand): LessonRun {
  const world = result.world;
  const index = world.step - 1;
  let deliveries = run.deliveries;
  for (const e of result.events) {
    if (e.type === 'delivered' && e.message) deliveries = [...deliveries, { step: index, tick: world.tick, message: e.message }];
  }
  const next: LessonRun = {
    ...run,
    world,
    last: { command, events: result.events },
    deliveries,
    ...(scripted ? fire(run, scripted, index, world.tick, false) : {}),
  };
  return settle(next);
}

/** The lesson after a command the engine refused: a move the player tried, or a scripted command whose moment had passed. */
export function observeRefusal(run: LessonRun, command: Command, rejection: Rejection, scripted?: ScriptedCommand): LessonRun {
  const node = command.type === 'act' ? command.node : null;
  const refusals = [...run.refusals, { step: run.world.step, tick: run.world.tick, node, code: rejection.code, message: rejection.message }];
  return settle({ ...run, refusals, ...(scripted ? fire(run, scripted, run.world.step, run.world.tick, true) : {}) });
}

function fire(run: LessonRun, scripted: ScriptedCommand, index: number, tick: number, refused: boolean): Pick<LessonRun, 'fired' | 'firings'> {
  if (scripted.index !== 0) return { fired: run.fired, firings: run.firings };
  const count = (run.firings[scripted.rule]?.count ?? 0) + 1;
  return {
    fired: [...run.fired, { rule: scripted.rule, step: index, tick, why: scripted.why, told: scripted.told, refused }],
    // The world the rule fired in: the step before its command applied.
    firings: { ...run.firings, [scripted.rule]: { count, atStep: refused ? run.world.step : index } },
  };
}

/** Checks the objectives and dead ends against the run's world, and works out the hints due. */
function settle(run: LessonRun): LessonRun {
  if (run.status !== 'playing') return run;
  const moment = momentOf(run);
  const steps = run.lesson.steps;
  const index = run.world.step - 1;
  // Objectives are reached in order: a later one that holds first (the outcome came, but by a NO
  // that ends the lesson) does not count for a step the player has not come to.
  let objectives = run.objectives;
  for (let i = 0; i < steps.length; i++) {
    if (objectives[i]!.reached !== null) continue;
    if (!steps[i]!.reached(moment)) break;
    objectives = objectives.map((p, j) => (j === i ? { ...p, reached: { step: index, tick: run.world.tick } } : p));
  }
  let current = objectives.findIndex((p) => p.reached === null);
  if (current < 0) current = steps.length;
  const currentSince = current === run.current ? run.currentSince : run.world.tick;
  const waited = run.world.tick - currentSince;
  const hints = current < steps.length ? steps[current]!.hints.filter((h) => waited >= h.afterTicks).map((h) => h.text) : [];
  let status: LessonStatus = current === steps.length ? 'done' : 'playing';
  let deadEnd = run.deadEnd;
  if (status === 'playing') {
    const end = run.lesson.deadEnds?.find((d) => d.when({ ...moment, run: { ...run, objectives } }));
    if (end) {
      status = 'dead-end';
      deadEnd = { id: end.id, text: end.text, step: index, tick: run.world.tick };
    }
  }
  const sameHints = hints.length === run.hints.length && hints.every((h, i) => h === run.hints[i]);
  return tell({ ...run, objectives, current, currentSince, hints: sameHints ? run.hints : hints, status, deadEnd });
}

/** The rules that only tell, whose moment has come: their lines join the narrative. */
function tell(run: LessonRun): LessonRun {
  let fired = run.fired;
  let firings = run.firings;
  for (const rule of run.lesson.script) {
    if (rule.commands || (firings[rule.id]?.count ?? 0) >= (rule.times ?? 1)) continue;
    if (!rule.when({ ...momentOf(run), run: { ...run, fired, firings } })) continue;
    const step = run.world.step - 1;
    fired = [...fired, { rule: rule.id, step, tick: run.world.tick, why: rule.why, told: rule.told ?? 'now', refused: false }];
    firings = { ...firings, [rule.id]: { count: (firings[rule.id]?.count ?? 0) + 1, atStep: run.world.step } };
  }
  return fired === run.fired ? run : { ...run, fired, firings };
}

/**
 * The commands the script fires now, in order: apply them all (through `step`, then `observe` or
 * `observeRefusal` with each), then ask again. A rule fires at most once in a given world, so a
 * refused command cannot make it fire forever.
 */
export function scriptWants(run: LessonRun): ScriptedCommand[] {
  if (run.status !== 'playing') return [];
  const moment = momentOf(run);
  const out: ScriptedCommand[] = [];
  for (const rule of run.lesson.script) {
    const firing = run.firings[rule.id];
    if (!rule.commands || (firing && (firing.count >= (rule.times ?? 1) || firing.atStep === run.world.step))) continue;
    if (!rule.when(moment)) continue;
    const commands = rule.commands(moment).filter((c) => !(c.type === 'act' && run.people.includes(c.node)));
    commands.forEach((command, index) => out.push({ rule: rule.id, why: rule.why, told: rule.told ?? 'now', command, index }));
  }
  return out;
}

export type Advanced = { ok: true; run: LessonRun; events: readonly EngineEvent[] } | { ok: false; run: LessonRun; rejection: Rejection };

/** Applies one command through the engine and observes it: for a caller that lets the lesson hold the world (a solo page, a test). */
export function advance(run: LessonRun, command: Command, scripted?: ScriptedCommand): Advanced {
  const result = step(run.world, command);
  if (!result.ok) return { ok: false, run: observeRefusal(run, command, result.rejection, scripted), rejection: result.rejection };
  return { ok: true, run: observe(run, command, result, scripted), events: result.events };
}

/** The most scripted commands applied in a row: a script that keeps firing past this is wrong, not busy. */
const MAX_SCRIPTED_IN_A_ROW = 200;

/** Applies what the script wants now, and again, until it wants nothing. Returns the run and the commands the engine accepted. */
export function applyScript(run: LessonRun): { run: LessonRun; applied: { command: Command; world: World; events: readonly EngineEvent[]; scripted: ScriptedCommand }[] } {
  const applied: { command: Command; world: World; events: readonly EngineEvent[]; scripted: ScriptedCommand }[] = [];
  let count = 0;
  for (let wants = scriptWants(run); wants.length > 0; wants = scriptWants(run)) {
    for (const scripted of wants) {
      if ((count += 1) > MAX_SCRIPTED_IN_A_ROW) throw new Error(`the script of lesson ${run.lesson.id} fired more than ${MAX_SCRIPTED_IN_A_ROW} commands in a row`);
      const next = advance(run, scripted.command, scripted);
      run = next.run;
      if (next.ok) applied.push({ command: scripted.command, world: next.run.world, events: next.events, scripted });
    }
  }
  return { run, applied };
}

/** Whether the lesson is over: every objective reached, or a dead end. */
export function lessonOver(run: LessonRun): boolean {
  return run.status !== 'playing';
}

/** What the narrative panel may show the player now: the fired rules told at once, in order. */
export function narrative(run: LessonRun): FiredRule[] {
  return run.fired.filter((f) => f.told === 'now' && !f.refused);
}

/** The player's move, asked once a tick: an action, null to wait, or 'bot' to let a bot choose. */
export type PlayerMoves = (run: LessonRun, view: NodeView) => Action | null | 'bot';

export interface PlayOptions {
  /** Seeds the bots' choices (default: the round's seed). */
  botSeed?: number;
  /** The player's moves at the solo seat; without them a bot plays it, like every other seat. */
  player?: PlayerMoves;
  /** The player's nickname, for the debrief (default "Ada"). */
  nickname?: string;
  /** The bots' temper (default faithful, as in a room). */
  bot?: BotKind;
  /** The tick at which play stops if the lesson is not over (default 1000). */
  maxTicks?: number;
}

export interface PlayedLesson {
  run: LessonRun;
  /** The round as a room would store it: config, log and who played. */
  round: LessonRound;
  /** For each command of the log, who made it: the script's rule, the player, a bot, or the clock. */
  origins: readonly string[];
}

/**
 * Plays a lesson to its end as a room would: each tick the clock moves, then every seat in a
 * shuffled order (the player's through `player`, the others by bots), and after every command the
 * script fires what it wants. Deterministic: the same lesson and options give the same round.
 */
export function playLesson(lesson: Lesson, options: PlayOptions = {}): PlayedLesson {
  const config = lessonConfig(lesson);
  const seat = lesson.setup.player;
  const people = options.player ? [seat] : [];
  const rng = Rng.fromSeed(options.botSeed ?? config.seed);
  const maxTicks = options.maxTicks ?? 1000;
  const kind = options.bot ?? 'faithful';
  let run = startLesson(lesson, { people, world: createWorld(config) });
  const log: Command[] = [];
  const origins: string[] = [];

  const script = (): void => {
    const done = applyScript(run);
    run = done.run;
    for (const a of done.applied) {
      log.push(a.command);
      origins.push(`script:${a.scripted.rule}`);
    }
  };
  const apply = (command: Command, origin: string): void => {
    const next = advance(run, command);
    run = next.run;
    if (!next.ok) return;
    log.push(command);
    origins.push(origin);
    script();
  };

  script();
  while (run.status === 'playing' && run.world.tick < maxTicks) {
    apply({ type: 'tick' }, 'clock');
    const order = rng.shuffle(Array.from({ length: config.nodes }, (_, i) => i));
    for (const node of order) {
      if (run.status !== 'playing') break;
      const view = viewOf(run.world, node);
      if (view.self.crashed) continue;
      if (options.player && node === seat) {
        const move = options.player(run, view);
        if (move === null) continue;
        if (move !== 'bot') {
          apply({ type: 'act', node, action: move }, 'player');
          continue;
        }
      }
      const command = botDecide(kind, view, rng, false);
      if (command) apply(command, options.player && node === seat ? 'player' : 'bot');
    }
  }
  const players = options.player ? [{ node: seat, nickname: options.nickname ?? 'Ada' }] : [];
  return { run, round: { config, log, players }, origins };
}

/** A round of a lesson re-run from its log: the lesson as it went, every world and every command's events. */
export interface ReplayedLesson {
  run: LessonRun;
  /** worlds[i] is the world after the first i commands. */
  worlds: World[];
  /** events[i] are the events of command i. */
  events: (readonly EngineEvent[])[];
  /** Who made each command: `script:<rule>`, `player` (a seat a person held), `bot`, `clock`, or `other` (an instructor's fault). */
  origins: string[];
}

const sameCommand = (a: Command, b: Command): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Re-runs a lesson's round from its log alone, and tells the script's commands from the others: after
 * each command the script is asked what it wants, and the log's next commands that match it, in
 * order, were the script's (as `applyScript` applied them).
 */
export function replayLesson(lesson: Lesson, round: LessonRound): ReplayedLesson {
  let run = startLesson(lesson, { people: round.players.map((p) => p.node), world: createWorld(round.config) });
  const worlds: World[] = [run.world];
  const events: (readonly EngineEvent[])[] = [];
  const origins: string[] = [];
  let wanted = scriptWants(run);
  for (const command of round.log) {
    // Scripted commands the engine refused left no trace in the log: pass over them as the runner did.
    while (wanted.length > 0 && !sameCommand(wanted[0]!.command, command)) {
      const refused = step(run.world, wanted[0]!.command);
      if (refused.ok) {
        wanted = [];
        break;
      }
      run = observeRefusal(run, wanted[0]!.command, refused.rejection, wanted[0]);
      wanted = wanted.slice(1);
    }
    const scripted = wanted.length > 0 ? wanted[0] : undefined;
    const result = step(run.world, command);
    if (!result.ok) throw new Error(`the lesson's log is refused at command ${worlds.length - 1}: ${result.rejection.message}`);
    run = observe(run, command, result, scripted);
    worlds.push(run.world);
    events.push(result.events);
    if (scripted) origins.push(`script:${scripted.rule}`);
    else if (command.type === 'act') origins.push(round.players.some((p) => p.node === command.node) ? 'player' : 'bot');
    else origins.push(command.type === 'tick' ? 'clock' : 'other');
    wanted = scripted ? wanted.slice(1) : [];
    if (wanted.length === 0) wanted = scriptWants(run);
  }
  return { run, worlds, events, origins };
}

/** What a lesson's player is shown of it, beside the round: the `lesson` message (shared/wire/messages.ts). */
export interface LessonPanel {
  id: string;
  /** Its place in the essay's path. */
  number: number;
  title: string;
  idea: string;
  /** What this seat's holder is told of their part (`Lesson.briefings`); null when the lesson has none for it, and in the class's own view. */
  briefing: string | null;
  /** The objectives: spoken to the player at the solo seat, as the group's objectives to everyone else. */
  objectives: { title: string; reached: boolean }[];
  /** The index of the objective the player works on; the number of objectives once all are reached. */
  current: number;
  /** The current objective's hints that are due (they speak to the solo seat: nobody else is given them). */
  hints: string[];
  /** What the lesson's script did, and why, in order (never a line kept for the debrief). */
  narrative: { tick: number; why: string }[];
  /** This seat's moves the engine refused, each with the rule's explanation. */
  refusals: { tick: number; why: string }[];
  status: LessonStatus;
  /** Why the objectives can no longer be reached, when they cannot. */
  deadEnd: string | null;
  /** The debrief, built from this round's log, once the round has ended. */
  debrief: string[] | null;
}

/** What a seat other than the solo one reads when the lesson has reached a dead end: the lesson's own words speak to the solo seat. */
const DEAD_END_FOR_OTHERS = 'The round went another way than the lesson tells, so its objectives can no longer be reached; the round plays on until it ends.';

/**
 * The panel of a lesson as far as it has come, for the holder of `seat` (default: the solo
 * player's), or for the class's own view of a group (null: the instructor, the projector). Only what
 * that seat may know: the script's lines told at once, this seat's own refusals, the hints and the
 * objectives in the solo player's words only at the solo seat. `debrief` once its round has ended
 * (see `Lesson.debrief`).
 */
export function lessonPanel(run: LessonRun, debrief: string[] | null, seat: NodeId | null = run.lesson.setup.player): LessonPanel {
  const lesson = run.lesson;
  const solo = seat === lesson.setup.player;
  return {
    id: lesson.id,
    number: lesson.number,
    title: lesson.title,
    idea: lesson.idea,
    briefing: seat === null ? null : (lesson.briefings?.[seat] ?? null),
    objectives: lesson.steps.map((o, i) => ({ title: solo ? o.title : (o.groupTitle ?? o.title), reached: run.objectives[i]?.reached !== null })),
    current: run.current,
    hints: solo ? [...run.hints] : [],
    narrative: narrative(run).map((f) => ({ tick: f.tick, why: f.why })),
    refusals: run.refusals.filter((r) => r.node !== null && r.node === seat && run.people.includes(r.node)).map((r) => ({ tick: r.tick, why: r.message })),
    status: run.status,
    deadEnd: run.deadEnd === null ? null : solo ? run.deadEnd.text : DEAD_END_FOR_OTHERS,
    debrief,
  };
}
