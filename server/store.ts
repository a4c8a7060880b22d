/**
 * Where rounds are kept: SQLite through better-sqlite3, in WAL mode, with the commands of running
 * rounds in an append-only journal file beside it.
 *
 * Every accepted command is appended to the journal the moment it is accepted, before any client
 * hears of it: one small `write` to a file the server holds open. That survives a `kill -9` as a
 * WAL commit does (the data is in the operating system's hands), at a fraction of the cost of a
 * transaction per command, which a busy server pays thousands of times a second. When a round ends,
 * its commands go into `commands` (keyed by round, for reading) in one transaction. At startup,
 * whatever a killed process left in the journal goes the same way, and those rounds are marked
 * interrupted. While rounds run, their commands are also kept in memory, to store and to serve.
 *
 * A fork of a replay starts with the commands that led to its starting point, up to 50,000 of them.
 * They are stored with the round's row as one deflated JSON list when it begins (one small insert,
 * not a line and a row per command, which would hold up every room for half a second), and the
 * round's own commands are numbered after them.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { inflateSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { parseSeating, roundDocument, type Command, type RecordedRejection, type RoundConfig, type RoundDocument, type RoundMeta } from '../shared';
import { SchemaError } from '../shared/wire/schema';
import type { RoundLog, RoundSeating, StoredPlayer } from './core/services';
import { hashKey, matchesKeyHash } from './secrets';

export type { RoundSeating, StoredPlayer };

export type RoundState = 'running' | 'finished' | 'interrupted';

export interface RoundRow {
  id: string;
  classCode: string | null;
  state: RoundState;
  protocol: string;
  nodes: number;
  commands: number;
  outcome: string | null;
  startedAt: string;
  endedAt: string | null;
  players: string[];
  /** The group's number in its class (from 1); null outside a class, and for rounds stored before groups were kept. */
  group: number | null;
  /** The id of the lesson the round played (shared/lessons), or null for a round that played none. */
  lesson: string | null;
}

/** The columns of the rounds table that every read of a round takes, as SQLite returns them. */
interface RoundsTableRow {
  class_code: string | null;
  state: RoundState;
  config: string;
  players: string;
  outcome: string | null;
  started_at: string;
  ended_at: string | null;
  group_number: number | null;
  /** `RoundSeating` as JSON, checked against the round when it was stored; null when not known. */
  seating: string | null;
  /** The lesson the round played, or null. */
  lesson: string | null;
}

/** What the class report is worked out from: one finished or interrupted round as the store keeps it, mostly as stored text. */
export interface StoredRoundSource {
  id: string;
  group: number | null;
  /** JSON texts as stored. */
  config: string;
  players: string;
  seating: string | null;
  /** A fork's starting commands, a deflated JSON list; the round's own commands follow them. */
  prefix: Uint8Array | null;
  /** The round's own commands, as one JSON list. */
  commands: string;
  rejections: RecordedRejection[];
}

/** The journal is rewritten with only the running rounds' lines once it is this large and mostly finished rounds. */
const JOURNAL_COMPACT_BYTES = 32 * 1024 * 1024;

interface RunningRound {
  /** How many commands come before the first one kept here: a fork's starting commands, stored with the round's row. */
  first: number;
  /** Each command as stored: its JSON text. */
  commands: string[];
  /** The bytes its lines take in the journal. */
  bytes: number;
}

export class RoundStore implements RoundLog {
  private readonly db: Database.Database;
  private readonly insertCommand: Database.Statement;
  /** Written while rounds run (a refused move, a seat changing hands): prepared once, not at every write. */
  private readonly insertRejection: Database.Statement;
  private readonly setPlayers: Database.Statement;
  private readonly running = new Map<string, RunningRound>();
  /** The journal file (none for an in-memory database), open for appending, and its size. */
  private readonly journalPath: string | null;
  private journalFd: number | null = null;
  private journalBytes = 0;

  /** `journalCompactBytes`: how large the journal may grow before it is rewritten without finished rounds. */
  constructor(
    readonly path: string,
    private readonly options: { journalCompactBytes?: number } = {},
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 1000 });
    // One process owns the file: holding the lock for good spares every insert the locking calls.
    // (Other programs can read the file once the server has stopped.)
    this.db.pragma('locking_mode = EXCLUSIVE');
    try {
      this.db.pragma('journal_mode = WAL');
    } catch (error) {
      this.db.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new Error(`${path} is locked: another Quorum server is using it`);
    }
    // WAL + NORMAL survives a killed process (not a power cut) and keeps each insert cheap.
    this.db.pragma('synchronous = NORMAL');
    // Fewer, larger checkpoints: each one syncs the file, and a busy class appends thousands of commands a minute.
    this.db.pragma('wal_autocheckpoint = 8000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS classes (
        code TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        closed_at TEXT
      );
      CREATE TABLE IF NOT EXISTS rounds (
        id TEXT PRIMARY KEY,
        class_code TEXT,
        state TEXT NOT NULL,
        config TEXT NOT NULL,
        players TEXT NOT NULL,
        outcome TEXT,
        result TEXT,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        prefix BLOB,
        prefix_count INTEGER NOT NULL DEFAULT 0,
        group_number INTEGER,
        seating TEXT,
        lesson TEXT
      );
      CREATE INDEX IF NOT EXISTS rounds_by_class ON rounds (class_code, started_at);
      CREATE TABLE IF NOT EXISTS commands (
        round_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        command TEXT NOT NULL,
        PRIMARY KEY (round_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rejections (
        round_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        node INTEGER,
        code TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS rejections_by_round ON rejections (round_id, step);
    `);
    // Databases made before forks kept their starting commands with the round.
    const columns = (this.db.prepare('PRAGMA table_info(rounds)').all() as { name: string }[]).map((c) => c.name);
    if (!columns.includes('prefix')) this.db.exec('ALTER TABLE rounds ADD COLUMN prefix BLOB; ALTER TABLE rounds ADD COLUMN prefix_count INTEGER NOT NULL DEFAULT 0;');
    // Databases made before a class played as groups, each round with who held its seats when.
    if (!columns.includes('group_number')) this.db.exec('ALTER TABLE rounds ADD COLUMN group_number INTEGER;');
    if (!columns.includes('seating')) this.db.exec('ALTER TABLE rounds ADD COLUMN seating TEXT;');
    // Databases made before rounds kept the lesson they played: their rounds played none.
    if (!columns.includes('lesson')) this.db.exec('ALTER TABLE rounds ADD COLUMN lesson TEXT;');
    this.insertCommand = this.db.prepare('INSERT OR IGNORE INTO commands (round_id, idx, command) VALUES (?, ?, ?)');
    this.insertRejection = this.db.prepare('INSERT INTO rejections (round_id, step, node, code, message) VALUES (?, ?, ?, ?, ?)');
    this.setPlayers = this.db.prepare('UPDATE rounds SET players = ? WHERE id = ?');
    // Only the process holding the database's lock gets here, so the journal is ours alone.
    this.journalPath = path === ':memory:' ? null : `${path}.running.log`;
    this.recoverJournal();
    if (this.journalPath) {
      this.journalFd = openSync(this.journalPath, 'a');
      ftruncateSync(this.journalFd, 0);
    }
  }

  /** Stores what a killed process left in the journal (its rounds are then marked interrupted by `markInterrupted`). */
  private recoverJournal(): void {
    if (!this.journalPath || !existsSync(this.journalPath)) return;
    const lines = readFileSync(this.journalPath, 'utf8').split('\n');
    this.db.transaction(() => {
      for (const line of lines) {
        const entry = parseJournalLine(line);
        if (entry) this.insertCommand.run(entry.round, entry.index, JSON.stringify(entry.command));
      }
    })();
  }

  /** Rounds that were running when the process died become replays up to their last command. */
  markInterrupted(now: string): number {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(`UPDATE rounds SET state = 'interrupted', ended_at = COALESCE(ended_at, ?) WHERE state = 'running'`)
        .run(now);
      this.db.prepare(`UPDATE classes SET closed_at = ? WHERE closed_at IS NULL`).run(now);
      return info.changes;
    })();
  }

  createClass(code: string, title: string, instructorKey: string, now: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO classes (code, title, key_hash, created_at, closed_at) VALUES (?, ?, ?, ?, NULL)')
      .run(code, title, hashKey(instructorKey), now);
  }

  closeClass(code: string, now: string): void {
    this.db.prepare('UPDATE classes SET closed_at = ? WHERE code = ?').run(now, code);
  }

  /** Whether `key` is the instructor key of class `code` (live or closed). */
  checkInstructorKey(code: string, key: string): boolean {
    const row = this.db.prepare('SELECT key_hash FROM classes WHERE code = ?').get(code) as { key_hash: string } | undefined;
    // Compared even for an unknown class, so that the answer takes as long either way.
    return matchesKeyHash(key, row?.key_hash ?? '');
  }

  classExists(code: string): boolean {
    return this.db.prepare('SELECT 1 FROM classes WHERE code = ?').get(code) !== undefined;
  }

  /** A class's title ("" when unnamed), or null when there is no such class. */
  classTitle(code: string): string | null {
    const row = this.db.prepare('SELECT title FROM classes WHERE code = ?').get(code) as { title: string } | undefined;
    return row?.title ?? null;
  }

  /**
   * `prefix`: a fork's starting commands as a deflated JSON list, and how many there are; the round's
   * own commands follow them. `group`: the group's number in its class, from 1. `lesson`: the id of
   * the lesson the round plays.
   */
  beginRound(
    id: string,
    classCode: string | null,
    config: RoundConfig,
    players: StoredPlayer[],
    now: string,
    prefix: { deflated: Uint8Array; count: number } | null = null,
    group: number | null = null,
    lesson: string | null = null,
  ): void {
    this.db
      .prepare(`INSERT INTO rounds (id, class_code, state, config, players, started_at, prefix, prefix_count, group_number, lesson) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`)
      .run(id, classCode, JSON.stringify(config), JSON.stringify(players), now, prefix ? Buffer.from(prefix.deflated.buffer, prefix.deflated.byteOffset, prefix.deflated.byteLength) : null, prefix?.count ?? 0, group, lesson);
    this.running.set(id, { first: prefix?.count ?? 0, commands: [], bytes: 0 });
  }

  /** Appends a running round's next command to the journal; it is on its way to the disk when this returns. */
  append(roundId: string, command: Command): void {
    const round = this.running.get(roundId);
    if (!round) throw new Error(`round ${roundId} is not running`);
    const json = JSON.stringify(command);
    const line = journalLine(roundId, round.first + round.commands.length, json);
    const bytes = this.journalFd === null ? line.length : writeAll(this.journalFd, line);
    round.commands.push(json);
    round.bytes += bytes;
    this.journalBytes += bytes;
  }

  /** A move the engine refused: not in the log, but a marker on the replay's timeline. */
  appendRejection(roundId: string, rejection: RecordedRejection): void {
    this.insertRejection.run(roundId, rejection.step, rejection.node, rejection.code, rejection.message);
  }

  updatePlayers(roundId: string, players: StoredPlayer[]): void {
    this.setPlayers.run(JSON.stringify(players), roundId);
  }

  /** `seating`: who held the student seats when, and the bots' moves at them, kept for the round's document and the class report. */
  finishRound(
    roundId: string,
    outcome: string | null,
    result: object,
    players: StoredPlayer[],
    now: string,
    state: RoundState = 'finished',
    seating?: RoundSeating,
  ): void {
    const round = this.running.get(roundId);
    this.db.transaction(() => {
      round?.commands.forEach((command, index) => this.insertCommand.run(roundId, round.first + index, command));
      const kept = seating ? this.checkedSeating(roundId, seating) : null;
      this.db
        .prepare('UPDATE rounds SET state = ?, outcome = ?, result = ?, players = ?, ended_at = ?, seating = ? WHERE id = ?')
        .run(state, outcome, JSON.stringify(result), JSON.stringify(players), now, kept, roundId);
    })();
    if (round) {
      this.running.delete(roundId);
      this.compactJournal();
    }
  }

  /**
   * A round's seating as JSON, if it fits the round (seats of its nodes, steps within its log, as many
   * holders as a round document may name), so that the round's document always parses; else null, and
   * the round's players are taken to have held their seats throughout. The bots' moves may come in
   * any order.
   */
  private checkedSeating(roundId: string, seating: RoundSeating): string | null {
    const row = this.db.prepare('SELECT config, prefix_count FROM rounds WHERE id = ?').get(roundId) as { config: string; prefix_count: number } | undefined;
    if (!row) return null;
    const steps = (this.db.prepare('SELECT COUNT(*) AS n FROM commands WHERE round_id = ?').get(roundId) as { n: number }).n + row.prefix_count;
    const botMoves = [...new Set(seating.botMoves)].sort((a, b) => a - b);
    try {
      return JSON.stringify(parseSeating({ holders: seating.holders, botMoves }, (JSON.parse(row.config) as RoundConfig).nodes, steps));
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      console.warn(`round ${roundId}: its seating is not kept (${error.message})`);
      return null;
    }
  }

  /**
   * Once no round runs, the journal starts again from empty. While others still run, it is rewritten
   * with just their lines when finished rounds make up most of a large file. (A process killed
   * mid-rewrite leaves the old journal or the new one; either holds every running round's lines.)
   */
  private compactJournal(): void {
    if (this.journalFd === null || this.journalPath === null) return;
    if (this.running.size === 0) {
      ftruncateSync(this.journalFd, 0);
      this.journalBytes = 0;
      return;
    }
    const live = [...this.running.values()].reduce((sum, r) => sum + r.bytes, 0);
    if (this.journalBytes < (this.options.journalCompactBytes ?? JOURNAL_COMPACT_BYTES) || this.journalBytes < 2 * live) return;
    const next = `${this.journalPath}.next`;
    const fd = openSync(next, 'w');
    try {
      for (const [id, round] of this.running) {
        round.commands.forEach((json, index) => writeAll(fd, journalLine(id, round.first + index, json)));
      }
    } finally {
      closeSync(fd);
    }
    renameSync(next, this.journalPath);
    closeSync(this.journalFd);
    this.journalFd = openSync(this.journalPath, 'a');
    this.journalBytes = live;
  }

  /** A round's commands in order: a fork's starting commands, then its own (from memory while it runs). */
  private commandsOf(roundId: string, prefix: Buffer | null): Command[] {
    const first = prefix ? (JSON.parse(inflateSync(prefix).toString('utf8')) as Command[]) : [];
    const running = this.running.get(roundId);
    const own = running
      ? running.commands
      : (this.db.prepare('SELECT command FROM commands WHERE round_id = ? ORDER BY idx').all(roundId) as { command: string }[]).map((r) => r.command);
    for (const json of own) first.push(JSON.parse(json) as Command);
    return first;
  }

  listRounds(classCode: string): RoundRow[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.class_code, r.state, r.config, r.players, r.outcome, r.started_at, r.ended_at, r.prefix_count, r.group_number, r.lesson,
                (SELECT COUNT(*) FROM commands c WHERE c.round_id = r.id) AS commands
         FROM rounds r WHERE r.class_code = ? ORDER BY r.started_at, r.group_number, r.id`,
      )
      .all(classCode) as (Omit<RoundsTableRow, 'seating'> & { id: string; prefix_count: number; commands: number })[];
    return rows.map((r) => {
      const config = JSON.parse(r.config) as RoundConfig;
      return {
        id: r.id,
        classCode: r.class_code,
        state: r.state,
        protocol: config.protocol,
        nodes: config.nodes,
        commands: r.prefix_count + (this.running.get(r.id)?.commands.length ?? r.commands),
        outcome: r.outcome,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        players: (JSON.parse(r.players) as StoredPlayer[]).map((p) => p.nickname),
        group: r.group_number,
        lesson: r.lesson,
      };
    });
  }

  /** The ids of a class's finished and interrupted rounds, in the order the rounds list: by start, then group. */
  finishedRoundIds(classCode: string): string[] {
    return this.db
      .prepare(`SELECT id FROM rounds WHERE class_code = ? AND state IN ('finished', 'interrupted') ORDER BY started_at, group_number, id`)
      .pluck()
      .all(classCode) as string[];
  }

  /**
   * A round as the class report reads it, mostly as stored text: its commands come as one JSON list,
   * put together by SQLite. Nothing is parsed here; that is the report worker's to do.
   */
  roundSource(id: string): StoredRoundSource | null {
    const row = this.db.prepare('SELECT group_number, config, players, seating, prefix FROM rounds WHERE id = ?').get(id) as
      | Pick<RoundsTableRow, 'group_number' | 'config' | 'players' | 'seating'> & { prefix: Buffer | null }
      | undefined;
    if (!row) return null;
    const commands = this.db
      .prepare(`SELECT '[' || COALESCE(group_concat(command, ',' ORDER BY idx), '') || ']' FROM commands WHERE round_id = ?`)
      .pluck()
      .get(id) as string;
    const rejections = this.db.prepare('SELECT step, node, code, message FROM rejections WHERE round_id = ? ORDER BY rowid').all(id) as RecordedRejection[];
    return { id, group: row.group_number, config: row.config, players: row.players, seating: row.seating, prefix: row.prefix, commands, rejections };
  }

  /** The round as the engine's versioned document, or null. */
  roundDocument(id: string): RoundDocument | null {
    const row = this.db.prepare('SELECT * FROM rounds WHERE id = ?').get(id) as (RoundsTableRow & { prefix: Buffer | null }) | undefined;
    if (!row) return null;
    const log = this.commandsOf(id, row.prefix);
    const meta: RoundMeta = { startedAt: row.started_at, players: JSON.parse(row.players) as StoredPlayer[] };
    if (row.ended_at) meta.endedAt = row.ended_at;
    if (row.class_code) meta.classCode = row.class_code;
    if (row.state !== 'running') meta.outcome = row.outcome;
    if (row.state === 'interrupted') meta.interrupted = true;
    if (row.group_number !== null) meta.group = row.group_number;
    if (row.seating !== null) Object.assign(meta, JSON.parse(row.seating) as RoundSeating);
    if (row.lesson !== null) meta.lesson = row.lesson;
    const rejections = this.db
      .prepare('SELECT step, node, code, message FROM rejections WHERE round_id = ? ORDER BY rowid')
      .all(id) as RecordedRejection[];
    if (rejections.length > 0) meta.rejections = rejections;
    return roundDocument(JSON.parse(row.config) as RoundConfig, log, meta);
  }

  roundState(id: string): RoundState | null {
    const row = this.db.prepare('SELECT state FROM rounds WHERE id = ?').get(id) as { state: RoundState } | undefined;
    return row?.state ?? null;
  }

  roundClass(id: string): string | null | undefined {
    const row = this.db.prepare('SELECT class_code FROM rounds WHERE id = ?').get(id) as { class_code: string | null } | undefined;
    return row === undefined ? undefined : row.class_code;
  }

  close(): void {
    if (this.journalFd !== null) {
      closeSync(this.journalFd);
      this.journalFd = null;
    }
    if (this.db.open) this.db.close();
  }
}

/** A command's line in the journal; `command` is already JSON. */
function journalLine(round: string, index: number, command: string): string {
  return `{"round":${JSON.stringify(round)},"index":${index},"command":${command}}\n`;
}

/** One journal line, or null for anything else (the last line of a killed process may be cut short). */
function parseJournalLine(line: string): { round: string; index: number; command: object } | null {
  if (line.length === 0) return null;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return null;
  }
  const e = entry as { round?: unknown; index?: unknown; command?: unknown };
  if (typeof e.round !== 'string' || !Number.isInteger(e.index) || typeof e.command !== 'object' || e.command === null) return null;
  return { round: e.round, index: e.index as number, command: e.command };
}

/** Writes the whole text, however the system splits the write; returns its length in bytes. */
function writeAll(fd: number, text: string): number {
  const written = writeSync(fd, text);
  const bytes = Buffer.byteLength(text);
  if (written === bytes) return bytes;
  const rest = Buffer.from(text).subarray(written);
  for (let offset = 0; offset < rest.length; ) offset += writeSync(fd, rest, offset);
  return bytes;
}
