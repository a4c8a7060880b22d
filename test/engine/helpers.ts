import { parseScriptLine } from '../../shared/engine/script';
import { step } from '../../shared/engine/step';
import type { Command, EngineEvent, RoundConfig, World } from '../../shared/engine/types';
import { createWorld } from '../../shared/engine/world';

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
