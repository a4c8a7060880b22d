import { Rng } from '../../shared/engine/rng';
import { parseScriptLine } from '../../shared/engine/script';
import { step } from '../../shared/engine/step';
import type { Command, EngineEvent, ProtocolName, RoundConfig, Settings, World } from '../../shared/engine/types';
import { legalActions, ruleBreakingActions } from '../../shared/engine/view';
import { createWorld, makeConfig } from '../../shared/engine/world';
import { protocolFor, protocolNames } from '../../shared/protocols';
import { runSeed } from '../../shared/sim/swarm';
import { nodesFor } from '../nodes';

export { nodesFor };

/** The protocols a class may play: every registered one but those played only in their lesson. */
export function classProtocols(): ProtocolName[] {
  return protocolNames().filter((p) => !protocolFor(p).lessonOnly);
}

/** Builds a world from script lines (see shared/engine/script.ts); every command must be accepted. */
export function worldFrom(lines: readonly string[]): World {
  let world: World | null = null;
  for (const line of lines) {
    const parsed = parseScriptLine(line);
    if (parsed.kind === 'config') {
      world = createWorld(parsed.config);
      continue;
    }
    if (!world) throw new Error('script must start with config');
    for (const command of parsed.commands) world = mustStep(world, command).world;
  }
  if (!world) throw new Error('empty script');
  return world;
}

export function mustStep(world: World, command: Command): { world: World; events: EngineEvent[] } {
  const result = step(world, command);
  if (!result.ok) throw new Error(`refused ${JSON.stringify(command)}: ${result.rejection.message}`);
  return result;
}

export function commandOf(line: string): Command {
  const parsed = parseScriptLine(line);
  if (parsed.kind !== 'commands' || parsed.commands.length !== 1) throw new Error(`not one command: ${line}`);
  return parsed.commands[0]!;
}

export function configOf(line: string): RoundConfig {
  const parsed = parseScriptLine(line);
  if (parsed.kind !== 'config') throw new Error(`not a config: ${line}`);
  return parsed.config;
}

/**
 * A round played by people who press any button they are offered: every step a random node makes a
 * random legal move (in a sandbox round, now and then one that breaks a rule), or the clock ticks, a
 * client asks for a decree, or a node crashes or recovers. Yields the world after every step. Bots
 * play well; this plays everything, so every kind of move comes up.
 */
export function* playedRound(protocol: ProtocolName, seed: number, steps: number, settings: Partial<Settings> = {}, size = 5): Generator<World> {
  const nodes = nodesFor(protocol, size);
  const rng = Rng.fromSeed(seed);
  const config = makeConfig(protocol, nodesFor(protocol, nodes), seed, { latencyMin: 1, latencyMax: 4, decrees: ['X', 'Y'], ...settings });
  let world = createWorld(config);
  const apply = (command: Command | undefined): void => {
    if (!command) return;
    const result = step(world, command);
    if (!result.ok) throw new Error(`refused ${JSON.stringify(command)}: ${result.rejection.message}`);
    world = result.world;
  };
  for (const request of protocolFor(protocol).clients.openingRequests(config.settings.decrees, config, rng)) apply({ type: 'propose', ...request });
  yield world;
  for (let i = 0; i < steps; i++) {
    const roll = rng.int(0, 99);
    const node = rng.int(0, config.nodes - 1);
    if (roll < 35) apply({ type: 'tick' });
    else if (roll < 80) {
      const action = rng.pick(legalActions(world, node));
      if (action) apply({ type: 'act', node, action });
    } else if (roll < 90) {
      const move = config.settings.sandbox ? rng.pick(ruleBreakingActions(world, node)) : undefined;
      if (move) apply({ type: 'act', node, action: move.action });
    } else if (roll < 94) {
      if (!world.nodes[node]!.crashed) apply({ type: 'propose', node, decree: rng.pick(config.settings.decrees)! });
    } else if (roll < 97) {
      // A cluster keeps a node up; one machine alone may go down.
      if (!world.nodes[node]!.crashed && world.nodes.filter((n) => !n.crashed).length > (nodes === 1 ? 0 : 1)) apply({ type: 'crash', node });
    } else if (world.nodes[node]!.crashed) apply({ type: 'recover', node });
    yield world;
  }
}

/**
 * What is wrong with a world's `nextTimerAt`, or null: a tick before it looks at no node's timers, so
 * it must be no later than any running timer, and null only when none runs.
 */
export function nextTimerAtProblem(world: World): string | null {
  const running = world.nodes.flatMap((n) => n.timers.map((t) => t.firesAt));
  if (running.length === 0) return null;
  const soonest = Math.min(...running);
  if (world.nextTimerAt === null) return `nextTimerAt is null, but a timer fires at tick ${soonest}`;
  return world.nextTimerAt <= soonest ? null : `nextTimerAt is ${world.nextTimerAt}, after a timer that fires at tick ${soonest}`;
}

/** Every world of seeded swarm rounds (bots and faults) of a protocol, replayed step by step from its log. */
export function* swarmWorlds(protocol: ProtocolName, seeds: number, nodes = 5): Generator<World> {
  for (let seed = 0; seed < seeds; seed++) {
    const run = runSeed({ protocol, nodes: nodesFor(protocol, nodes), seed, faults: true });
    let world = createWorld(run.world.config);
    yield world;
    for (const command of run.log) {
      const result = step(world, command);
      if (!result.ok) continue;
      world = result.world;
      yield world;
    }
  }
}
