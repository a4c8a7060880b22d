import { protocolFor } from '../protocols';
import { commandSchema, configSchema } from '../wire/commands';
import { MAX_GROUPS } from '../wire/messages';
import { NICKNAME_MAX } from '../wire/nickname';
import { SchemaError } from '../wire/schema';
import { MAX_NODES } from './limits';
import { rerun, ReplayError } from './replay';
import type { RecordedRejection } from './timeline';
import type { Command, NodeId, RoundConfig, World } from './types';
import { configShapeProblem } from './world';

export const ROUND_FORMAT = 'quorum-round';
export const ROUND_VERSION = 1;
/**
 * The most commands a round may hold. A room ends its rounds after 5,000 ticks, and each tick adds the
 * tick itself and at most one bot move per node: 10 commands a tick at N=9, 50,000 in all. Bot rounds
 * of every protocol at N=9 with latency 1 and faults injected all along hold 5,000 to 5,400 commands
 * (about one a tick: once decided, a round only ticks), so this leaves nine times that for people's
 * moves and injected faults. A server ends a round that reaches it.
 */
export const MAX_ROUND_COMMANDS = 50_000;
/** The most refused moves a round keeps for its timeline (a class refuses a few; a server stops recording here). */
export const MAX_ROUND_REJECTIONS = 1_000;
/**
 * The most times a round's student seats may change hands (`meta.holders`): each student who sits
 * down, is moved, or comes back after their seat was let go adds one. Nine seats changing hands 33
 * times each is far past what a class does; a round past it is stored without its seating, and its
 * players are then taken to have held their seats throughout.
 */
export const MAX_ROUND_HOLDERS = 300;
/**
 * The most bytes a round document may take as JSON: every command as large as the largest one seen
 * (87 bytes, an act that carries a 24-character decree) with room to spare (128, which also covers
 * the step of a bot's move at a student's seat in `meta.botMoves`, 6 bytes at most), every refused
 * move as large as its fields allow (640), and 64 KiB for the config and the rest of meta (the seat
 * holders take at most 150 bytes each, 45 KB in all). Bot rounds of 5,000 ticks at N=9 take 82 to
 * 95 KB, about 17 bytes a command.
 */
export const MAX_ROUND_DOCUMENT_BYTES = MAX_ROUND_COMMANDS * 128 + MAX_ROUND_REJECTIONS * 640 + 64 * 1024;

export interface RoundMeta {
  /** ISO timestamps, filled in by the server; the engine never reads a clock. */
  startedAt?: string;
  endedAt?: string;
  players?: { node: NodeId; nickname: string }[];
  classCode?: string;
  outcome?: string | null;
  interrupted?: boolean;
  /** Moves the engine refused (they are not in the log), for the replay's markers. */
  rejections?: RecordedRejection[];
  /** The group's number in its class, from 1. */
  group?: number;
  /** Who held each student seat from which step to which (null: to the end); see shared/results/record.ts. */
  holders?: { node: NodeId; nickname: string; from: number; to: number | null }[];
  /** Steps of moves a bot made at a seat a student held (autopilot, decision deadline). */
  botMoves?: number[];
  /** The id of the lesson the round played (shared/lessons), when it played one. */
  lesson?: string;
}

/** A round: everything needed to re-run it, plus what people want to read about it. */
export interface RoundDocument {
  format: typeof ROUND_FORMAT;
  version: typeof ROUND_VERSION;
  config: RoundConfig;
  log: Command[];
  meta: RoundMeta;
}

export function roundDocument(config: RoundConfig, log: readonly Command[], meta: RoundMeta = {}): RoundDocument {
  return { format: ROUND_FORMAT, version: ROUND_VERSION, config, log: log.slice(), meta };
}

export function serializeRound(doc: RoundDocument): string {
  return JSON.stringify(doc);
}

export type ParsedRound = { ok: true; round: RoundDocument } | { ok: false; error: string };
/** A parsed round and the world after the commands that were asked for. */
export type ParsedRoundAt = { ok: true; round: RoundDocument; world: World } | { ok: false; error: string };

/** Whether `value` is a whole number from `min` to `max`. */
function whole(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** A nickname as the server keeps it: 1 to NICKNAME_MAX characters (code points: an emoji is one). */
function storedNickname(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2 * NICKNAME_MAX) return false;
  let characters = 0;
  for (const _ of value) characters += 1;
  return characters <= NICKNAME_MAX;
}

type Holder = NonNullable<RoundMeta['holders']>[number];

function parseHolders(raw: unknown): Holder[] {
  if (!Array.isArray(raw) || raw.length > MAX_ROUND_HOLDERS) throw new SchemaError(`meta.holders must be a list of at most ${MAX_ROUND_HOLDERS} seat holders`);
  return raw.map((h, i) => {
    const x = h as Record<string, unknown>;
    const ok =
      typeof h === 'object' && h !== null &&
      whole(x.node, 0, MAX_NODES - 1) &&
      storedNickname(x.nickname) &&
      whole(x.from, 0, MAX_ROUND_COMMANDS) &&
      (x.to === null || whole(x.to, x.from as number, MAX_ROUND_COMMANDS));
    if (!ok) throw new SchemaError(`meta.holders[${i}] must be {node, nickname, from, to} with steps from 0 and to null or no earlier than from`);
    return { node: x.node as number, nickname: x.nickname as string, from: x.from as number, to: x.to as number | null };
  });
}

function parseBotMoves(raw: unknown): number[] {
  if (!Array.isArray(raw) || raw.length > MAX_ROUND_COMMANDS) throw new SchemaError(`meta.botMoves must be a list of at most ${MAX_ROUND_COMMANDS} steps`);
  raw.forEach((step, i) => {
    if (!whole(step, 0, MAX_ROUND_COMMANDS - 1) || (i > 0 && step <= raw[i - 1])) throw new SchemaError(`meta.botMoves[${i}] must be a step, each above the one before`);
  });
  return raw.slice() as number[];
}

/**
 * Checks a round's seating (who held which seat when, and the bots' moves at students' seats) against
 * the round it belongs to: seats of its nodes, steps within its log. The server checks what it stores
 * with this too, so that a round it serves always parses.
 */
export function parseSeating(raw: { holders: unknown; botMoves: unknown }, nodes: number, steps: number): { holders: Holder[]; botMoves: number[] } {
  const holders = parseHolders(raw.holders);
  const botMoves = parseBotMoves(raw.botMoves);
  checkSeating({ holders, botMoves }, nodes, steps);
  return { holders, botMoves };
}

function checkSeating(meta: Pick<RoundMeta, 'holders' | 'botMoves'>, nodes: number, steps: number): void {
  meta.holders?.forEach((h, i) => {
    if (h.node >= nodes) throw new SchemaError(`meta.holders[${i}] names seat ${h.node} of a round of ${nodes} nodes`);
    if (h.from > steps || (h.to !== null && h.to > steps)) throw new SchemaError(`meta.holders[${i}] names a step beyond the log's ${steps} commands`);
  });
  const last = meta.botMoves?.at(-1);
  if (last !== undefined && last >= steps) throw new SchemaError(`meta.botMoves names step ${last}, beyond the log's ${steps} commands`);
}

function parseMeta(raw: unknown): RoundMeta {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SchemaError('meta must be an object');
  const m = raw as Record<string, unknown>;
  const meta: RoundMeta = {};
  for (const key of ['startedAt', 'endedAt', 'classCode'] as const) {
    if (m[key] === undefined) continue;
    if (typeof m[key] !== 'string' || (m[key] as string).length > 64) throw new SchemaError(`meta.${key} must be a short text`);
    meta[key] = m[key] as string;
  }
  if (m.outcome !== undefined) {
    if (m.outcome !== null && (typeof m.outcome !== 'string' || m.outcome.length > 64)) throw new SchemaError('meta.outcome must be a short text or null');
    meta.outcome = m.outcome as string | null;
  }
  if (m.interrupted !== undefined) {
    if (typeof m.interrupted !== 'boolean') throw new SchemaError('meta.interrupted must be true or false');
    meta.interrupted = m.interrupted;
  }
  if (m.players !== undefined) {
    if (!Array.isArray(m.players) || m.players.length > MAX_NODES) throw new SchemaError(`meta.players must be a list of at most ${MAX_NODES} players`);
    meta.players = m.players.map((p, i) => {
      const player = p as Record<string, unknown>;
      if (typeof p !== 'object' || p === null || typeof player.node !== 'number' || !storedNickname(player.nickname)) {
        throw new SchemaError(`meta.players[${i}] must be {node, nickname}`);
      }
      return { node: player.node, nickname: player.nickname };
    });
  }
  if (m.rejections !== undefined) {
    if (!Array.isArray(m.rejections) || m.rejections.length > MAX_ROUND_REJECTIONS) throw new SchemaError(`meta.rejections must be a list of at most ${MAX_ROUND_REJECTIONS}`);
    meta.rejections = m.rejections.map((r, i) => {
      const x = r as Record<string, unknown>;
      const ok =
        typeof r === 'object' && r !== null &&
        Number.isInteger(x.step) && (x.step as number) >= 0 &&
        (x.node === null || (Number.isInteger(x.node) && (x.node as number) >= 0 && (x.node as number) < MAX_NODES)) &&
        typeof x.code === 'string' && x.code.length <= 64 &&
        typeof x.message === 'string' && x.message.length <= 500;
      if (!ok) throw new SchemaError(`meta.rejections[${i}] must be {step, node, code, message}`);
      return { step: x.step as number, node: x.node as number | null, code: x.code as string, message: x.message as string };
    });
  }
  if (m.group !== undefined) {
    if (!whole(m.group, 1, MAX_GROUPS)) throw new SchemaError(`meta.group must be a group number from 1 to ${MAX_GROUPS}`);
    meta.group = m.group;
  }
  if (m.holders !== undefined) meta.holders = parseHolders(m.holders);
  if (m.botMoves !== undefined) meta.botMoves = parseBotMoves(m.botMoves);
  if (m.lesson !== undefined) {
    // Any lesson id: one this Quorum does not know is kept, and the round replays without its lesson.
    if (typeof m.lesson !== 'string' || !/^[a-z0-9-]{1,64}$/.test(m.lesson)) throw new SchemaError('meta.lesson must be a lesson id (1 to 64 lowercase letters, digits and dashes)');
    meta.lesson = m.lesson;
  }
  return meta;
}

/**
 * Reads a round from untrusted JSON (text or parsed). Never throws: a malformed, truncated or
 * foreign document gets an error that names what is wrong. The log must also re-run cleanly; it is
 * re-run holding one world at a time. With `worldAt`, the world after that many commands comes back
 * too (a number outside 0..length is the caller's to refuse first).
 */
export function parseRound(input: unknown): ParsedRound;
export function parseRound(input: unknown, worldAt: number): ParsedRoundAt;
export function parseRound(input: unknown, worldAt?: number): ParsedRound | ParsedRoundAt {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      return { ok: false, error: 'This file is not valid JSON (it may be truncated or not a Quorum round at all).' };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: 'A round file must hold a JSON object.' };
  const doc = raw as Record<string, unknown>;
  if (doc.format !== ROUND_FORMAT) return { ok: false, error: `This is not a Quorum round: its format is not "${ROUND_FORMAT}".` };
  if (doc.version !== ROUND_VERSION) {
    return { ok: false, error: `This round uses format version ${String(doc.version)}; this Quorum reads version ${ROUND_VERSION}.` };
  }
  try {
    const config = configSchema.parse(doc.config, 'config');
    const problem = configShapeProblem(config);
    if (problem) return { ok: false, error: `The round's config is invalid: ${problem}.` };
    if (!Array.isArray(doc.log)) return { ok: false, error: 'The round has no command log (log must be a list).' };
    if (doc.log.length > MAX_ROUND_COMMANDS) return { ok: false, error: `The log is too long (at most ${MAX_ROUND_COMMANDS} commands).` };
    const protocol = protocolFor(config.protocol);
    const log = doc.log.map((c, i) => {
      const command = commandSchema.parse(c, `log[${i}]`);
      if (command.type === 'act') {
        const action = protocol.parseAction(command.action);
        if (typeof action === 'string') throw new SchemaError(`log[${i}].action: ${action}`);
        return { ...command, action };
      }
      return command;
    });
    const meta = parseMeta(doc.meta);
    checkSeating(meta, config.nodes, log.length);
    const worlds = rerun(config, log, worldAt);
    const round: RoundDocument = { format: ROUND_FORMAT, version: ROUND_VERSION, config, log, meta };
    if (worldAt === undefined) return { ok: true, round };
    if (!worlds.at) return { ok: false, error: `There is no step ${worldAt}: the round has ${log.length} commands.` };
    return { ok: true, round, world: worlds.at };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, error: `The round is malformed: ${error.message}.` };
    if (error instanceof ReplayError) return { ok: false, error: `The round does not re-run: ${error.message}.` };
    throw error;
  }
}
