import { botDecide } from '../../shared/bots';
import { Rng } from '../../shared/engine/rng';
import { step } from '../../shared/engine/step';
import type { Action, Command, RoundConfig, Settings, World } from '../../shared/engine/types';
import { roundStatus, viewOf, type NodeView } from '../../shared/engine/view';
import { createWorld } from '../../shared/engine/world';
import { protocolFor } from '../../shared/protocols';
import { advance, applyScript, playLesson, replayLesson, type Lesson, type LessonRound, type PlayedLesson, type PlayerMoves } from '../../shared/lessons';

/** The bot seeds every lesson is played with: the objectives must be reached whatever the bots do. */
export const BOT_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** Plays a lesson with the player's scripted moves, and fails with the objectives' state if it does not end with every one reached. */
export function playToEnd(lesson: Lesson, player: PlayerMoves | undefined, botSeed: number): PlayedLesson {
  const played = playLesson(lesson, { player, botSeed, nickname: 'Ada' });
  const missing = played.run.objectives.filter((o) => o.reached === null).map((o) => o.id);
  if (played.run.status !== 'done') {
    throw new Error(
      `lesson ${lesson.id} (bot seed ${botSeed}) ended ${played.run.status} at tick ${played.run.world.tick}` +
        `${played.run.deadEnd ? ` (${played.run.deadEnd.text})` : ''}; objectives not reached: ${missing.join(', ')}`,
    );
  }
  return played;
}

/** The first legal move of a kind that passes `extra`, or null. */
export function legal(view: NodeView, kind: string, extra: (a: Action) => boolean = () => true): Action | null {
  return view.legal.find((a) => a.kind === kind && extra(a)) ?? null;
}

/** Re-runs a log as it was, holding every world: worlds[i] is the world after i commands. */
export function worldsOf(config: RoundConfig, log: readonly Command[]): World[] {
  const worlds = [createWorld(config)];
  for (const command of log) {
    const result = step(worlds[worlds.length - 1]!, command);
    if (!result.ok) throw new Error(`refused ${JSON.stringify(command)}: ${result.rejection.message}`);
    worlds.push(result.world);
  }
  return worlds;
}

/**
 * A what-if re-run written out on its own, to check the debriefs against: the lesson's round replayed
 * up to `at` (the script's rules `without` taken out), then `instead` (if any), then faithful bots on
 * every seat, one turn each per tick in an order drawn from the round's seed mixed with 0x3f1f, the
 * script firing after every command, until the outcome is known and every inbox empty, or a split is
 * proven with no counting message in flight, or 600 ticks pass.
 */
export function rerunFrom(
  lesson: Lesson,
  round: LessonRound,
  at: number,
  instead: Command | null,
  settings: Partial<Settings> = {},
  without: readonly string[] = [],
): { world: World; worlds: World[] } {
  const config: RoundConfig = { ...round.config, settings: { ...round.config.settings, ...settings } };
  const copy: Lesson = { ...lesson, script: lesson.script.filter((r) => !without.includes(r.id)) };
  let run = replayLesson(copy, { config, log: round.log.slice(0, at), players: [] }).run;
  const worlds = [run.world];
  const act = (command: Command): void => {
    const next = advance(run, command);
    run = next.run;
    if (!next.ok) return;
    worlds.push(run.world);
    const scripted = applyScript(run);
    run = scripted.run;
    for (const a of scripted.applied) worlds.push(a.world);
  };
  if (instead) act(instead);
  else {
    const scripted = applyScript(run);
    run = scripted.run;
    for (const a of scripted.applied) worlds.push(a.world);
  }
  const protocol = protocolFor(config.protocol);
  const rng = Rng.fromSeed((round.config.seed ^ 0x3f1f) >>> 0);
  const from = run.world.tick;
  const done = (world: World): boolean => {
    const status = roundStatus(world);
    if (status.decided && world.nodes.every((n) => n.crashed || n.inbox.length === 0)) return true;
    return status.stuck && !world.inFlight.some((m) => protocol.countsTowardOutcome(m.payload));
  };
  while (!done(run.world) && run.world.tick < from + 600) {
    act({ type: 'tick' });
    for (const node of rng.shuffle(Array.from({ length: config.nodes }, (_, i) => i))) {
      const command = botDecide('faithful', viewOf(run.world, node), rng, false);
      if (command) act(command);
    }
  }
  return { world: run.world, worlds };
}

/** The text of a debrief's lines of one topic. */
export function linesOf(debrief: { lines: { topic: string; text: string }[] }, topic: string): string[] {
  return debrief.lines.filter((l) => l.topic === topic).map((l) => l.text);
}
