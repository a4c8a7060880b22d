/**
 * Where rounds are kept: SQLite through better-sqlite3, in WAL mode. Every accepted command is
 * appended to its round's log the moment it is accepted (one small synchronous insert), so a
 * `kill -9` loses nothing that any client has already seen.
 *
 * A running round's commands go to `journal`, an append-only table in arrival order: each insert
 * touches only its last page, where inserts keyed by round would touch one page per round. When a
 * round ends its commands move, in one transaction, to `commands`, which is keyed by round for
 * reading; at startup whatever a killed process left in the journal moves the same way.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { roundDocument, type Command, type RecordedRejection, type RoundConfig, type RoundDocument, type RoundMeta } from '../shared';

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
}

export interface StoredPlayer {
  node: number;
  nickname: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class RoundStore {
  private readonly db: Database.Database;
  private readonly insertCommand: Database.Statement;
  private readonly moveFromJournal: Database.Statement;
  private readonly commandCount = new Map<string, number>();
  /** Running rounds: the journal position before their first command, so their rows are found without a full scan. */
  private readonly journalStart = new Map<string, number>();

  constructor(readonly path: string) {
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
        ended_at TEXT
      );
      CREATE INDEX IF NOT EXISTS rounds_by_class ON rounds (class_code, started_at);
      CREATE TABLE IF NOT EXISTS commands (
        round_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        command TEXT NOT NULL,
        PRIMARY KEY (round_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY,
        round_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        command TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS rejections (
        round_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        node INTEGER,
        code TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS rejections_by_round ON rejections (round_id, step);
    `);
    this.insertCommand = this.db.prepare('INSERT INTO journal (round_id, idx, command) VALUES (?, ?, ?)');
    this.moveFromJournal = this.db.prepare(
      'INSERT OR IGNORE INTO commands (round_id, idx, command) SELECT round_id, idx, command FROM journal WHERE round_id = ? AND seq > ?',
    );
  }

  /** Rounds that were running when the process died become replays up to their last command. */
  markInterrupted(now: string): number {
    return this.db.transaction(() => {
      this.db.exec('INSERT OR IGNORE INTO commands (round_id, idx, command) SELECT round_id, idx, command FROM journal ORDER BY seq');
      this.db.exec('DELETE FROM journal');
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
    return row !== undefined && row.key_hash === hashKey(key);
  }

  classExists(code: string): boolean {
    return this.db.prepare('SELECT 1 FROM classes WHERE code = ?').get(code) !== undefined;
  }

  beginRound(id: string, classCode: string | null, config: RoundConfig, players: StoredPlayer[], now: string): void {
    this.db
      .prepare(`INSERT INTO rounds (id, class_code, state, config, players, started_at) VALUES (?, ?, 'running', ?, ?, ?)`)
      .run(id, classCode, JSON.stringify(config), JSON.stringify(players), now);
    this.commandCount.set(id, 0);
    const last = this.db.prepare('SELECT MAX(seq) AS seq FROM journal').get() as { seq: number | null };
    this.journalStart.set(id, last.seq ?? 0);
  }

  append(roundId: string, command: Command): void {
    const index = this.commandCount.get(roundId) ?? this.countCommands(roundId);
    this.insertCommand.run(roundId, index, JSON.stringify(command));
    this.commandCount.set(roundId, index + 1);
  }

  /** A move the engine refused: not in the log, but a marker on the replay's timeline. */
  appendRejection(roundId: string, rejection: RecordedRejection): void {
    this.db
      .prepare('INSERT INTO rejections (round_id, step, node, code, message) VALUES (?, ?, ?, ?, ?)')
      .run(roundId, rejection.step, rejection.node, rejection.code, rejection.message);
  }

  updatePlayers(roundId: string, players: StoredPlayer[]): void {
    this.db.prepare('UPDATE rounds SET players = ? WHERE id = ?').run(JSON.stringify(players), roundId);
  }

  finishRound(roundId: string, outcome: string | null, result: object, players: StoredPlayer[], now: string, state: RoundState = 'finished'): void {
    const start = this.journalStart.get(roundId) ?? 0;
    this.db.transaction(() => {
      this.moveFromJournal.run(roundId, start);
      this.db
        .prepare('UPDATE rounds SET state = ?, outcome = ?, result = ?, players = ?, ended_at = ? WHERE id = ?')
        .run(state, outcome, JSON.stringify(result), JSON.stringify(players), now, roundId);
    })();
    this.commandCount.delete(roundId);
    this.journalStart.delete(roundId);
    this.pruneJournal();
  }

  /**
   * Drops journal rows that every running round started after: those rounds' commands have moved.
   * The row at the oldest start stays, so the next insert cannot reuse a position at or below it.
   */
  private pruneJournal(): void {
    if (this.journalStart.size === 0) this.db.exec('DELETE FROM journal');
    else this.db.prepare('DELETE FROM journal WHERE seq < ?').run(Math.min(...this.journalStart.values()));
  }

  private countCommands(roundId: string): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM commands WHERE round_id = ?').get(roundId) as { n: number };
    return row.n;
  }

  /** A round's commands in order, from the journal while it runs. */
  private commandsOf(roundId: string): string[] {
    const start = this.journalStart.get(roundId);
    const rows =
      start === undefined
        ? this.db.prepare('SELECT command FROM commands WHERE round_id = ? ORDER BY idx').all(roundId)
        : this.db.prepare('SELECT command FROM journal WHERE round_id = ? AND seq > ? ORDER BY seq').all(roundId, start);
    return (rows as { command: string }[]).map((r) => r.command);
  }

  listRounds(classCode: string): RoundRow[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.class_code, r.state, r.config, r.players, r.outcome, r.started_at, r.ended_at,
                (SELECT COUNT(*) FROM commands c WHERE c.round_id = r.id) AS commands
         FROM rounds r WHERE r.class_code = ? ORDER BY r.started_at, r.id`,
      )
      .all(classCode) as {
      id: string;
      class_code: string | null;
      state: RoundState;
      config: string;
      players: string;
      outcome: string | null;
      started_at: string;
      ended_at: string | null;
      commands: number;
    }[];
    return rows.map((r) => {
      const config = JSON.parse(r.config) as RoundConfig;
      return {
        id: r.id,
        classCode: r.class_code,
        state: r.state,
        protocol: config.protocol,
        nodes: config.nodes,
        commands: this.commandCount.get(r.id) ?? r.commands,
        outcome: r.outcome,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        players: (JSON.parse(r.players) as StoredPlayer[]).map((p) => p.nickname),
      };
    });
  }

  /** The round as the engine's versioned document, or null. */
  roundDocument(id: string): RoundDocument | null {
    const row = this.db.prepare('SELECT * FROM rounds WHERE id = ?').get(id) as
      | { class_code: string | null; state: RoundState; config: string; players: string; outcome: string | null; started_at: string; ended_at: string | null }
      | undefined;
    if (!row) return null;
    const log = this.commandsOf(id).map((c) => JSON.parse(c) as Command);
    const meta: RoundMeta = { startedAt: row.started_at, players: JSON.parse(row.players) as StoredPlayer[] };
    if (row.ended_at) meta.endedAt = row.ended_at;
    if (row.class_code) meta.classCode = row.class_code;
    if (row.state !== 'running') meta.outcome = row.outcome;
    if (row.state === 'interrupted') meta.interrupted = true;
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
    if (this.db.open) this.db.close();
  }
}
