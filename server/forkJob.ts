/**
 * What a fork's worker thread does with one `POST /api/forks` body: reads it, checks the round with
 * the engine (its whole log must re-run), and works out the world after the chosen step. The answer
 * is the world as JSON and the commands before the step as a deflated JSON list (which the store keeps
 * as it is): two values whose size is known, which cross to the main thread cheaply. No I/O here.
 */
import { deflateSync } from 'node:zlib';
import { parseRound } from '../shared/engine/round';
import type { RoundConfig } from '../shared/engine/types';

/**
 * How deep the body's JSON may nest. A round document nests 6 levels at most (body, round, log,
 * command, action, field); deeply nested arrays are refused before they are parsed, since parsing
 * them costs seconds.
 */
export const MAX_FORK_JSON_DEPTH = 32;
/**
 * The largest world a fork may start from, as JSON. The worlds of 5,000-tick bot rounds at N=9 take
 * at most 6 KB; full inboxes on every node take about 100 KB.
 */
export const MAX_FORK_WORLD_BYTES = 1024 * 1024;

/** Where a fork starts: the world after `step` commands (JSON), and those commands (a JSON list, deflated). */
export interface ForkStart {
  config: RoundConfig;
  world: string;
  commands: Uint8Array;
  step: number;
}

export type ForkJobResult = { ok: true; fork: ForkStart } | { ok: false; status: 400 | 413; error: string };

const refuse = (error: string, status: 400 | 413 = 400): ForkJobResult => ({ ok: false, status, error });

/** How deep `text` nests its arrays and objects, or Infinity once deeper than `limit` (strings are skipped). */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return Infinity;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function runForkJob(body: Uint8Array): ForkJobResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return refuse('The body is not UTF-8 text: send {round, step} as JSON.');
  }
  if (jsonDepth(text, MAX_FORK_JSON_DEPTH) > MAX_FORK_JSON_DEPTH) {
    return refuse(`The body nests deeper than ${MAX_FORK_JSON_DEPTH} levels: a round document never does.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refuse('The body is not valid JSON: send {round, step}.');
  }
  text = '';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return refuse('The body must be a JSON object {round, step}.');
  const { round, step } = raw as { round?: unknown; step?: unknown };
  const log = (round as { log?: unknown } | null | undefined)?.log;
  // A log that is not a list is the round's problem, which parseRound explains.
  const length = Array.isArray(log) ? log.length : Infinity;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > length) {
    return refuse(`step must be a whole number from 0 to ${Number.isFinite(length) ? length : 'the number of commands in the log'}.`);
  }
  const parsed = parseRound(round, step);
  if (!parsed.ok) return refuse(parsed.error);
  // Worlds are plain JSON values (the engine's digest relies on it too).
  const world = JSON.stringify(parsed.world);
  if (world.length > MAX_FORK_WORLD_BYTES) {
    return refuse(`The world after step ${step} takes ${world.length.toLocaleString('en-US')} bytes; a fork starts from at most ${MAX_FORK_WORLD_BYTES.toLocaleString('en-US')}.`, 413);
  }
  // Rounds are mostly ticks: 50,000 commands take about 3 MB as JSON and a few tens of KB deflated.
  // (Copied to a buffer of its own: a Buffer may be a view into a larger one, which would be copied whole.)
  const commands = new Uint8Array(deflateSync(JSON.stringify(parsed.round.log.slice(0, step))));
  return { ok: true, fork: { config: parsed.round.config, world, commands, step } };
}
