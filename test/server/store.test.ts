import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { parseRound, type Command, type NodeView } from '../../shared';
import { configOf, DEFAULT_SETUP } from '../../server/core/round';
import { RoundStore } from '../../server/store';
import { MemoryHost, type MemoryStore } from '../../server/sim/host';
import { completeSetup, type RoundSetup } from '../../server/core/round';
import { lessonById, replayLesson, startLesson } from '../../shared/lessons';
import { lessonReplayOf, type LessonReplay } from '../../client/src/replay/lesson';
import { PLAYERS } from '../lessons/players';

const dir = mkdtempSync(join(tmpdir(), 'quorum-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = configOf(DEFAULT_SETUP, 7);
const now = '2026-01-01T00:00:00.000Z';
const tick: Command = { type: 'tick' };
const crash = (node: number): Command => ({ type: 'crash', node });

function logOf(store: RoundStore, id: string): Command[] {
  return store.roundDocument(id)!.log;
}

describe('round store', () => {
  it('keeps interleaved rounds apart while they run and after they finish', () => {
    const store = new RoundStore(join(dir, 'interleaved.db'));
    store.beginRound('a', null, config, [], now);
    store.beginRound('b', null, config, [], now);
    const expected: Record<string, Command[]> = { a: [], b: [] };
    for (let i = 0; i < 50; i++) {
      const id = i % 3 === 0 ? 'b' : 'a';
      const command = i % 2 === 0 ? tick : crash(i % 5);
      store.append(id, command);
      expected[id]!.push(command);
    }
    expect(logOf(store, 'a')).toEqual(expected.a);
    expect(logOf(store, 'b')).toEqual(expected.b);
    store.finishRound('a', null, {}, [], now);
    expect(store.roundState('a')).toBe('finished');
    expect(logOf(store, 'a')).toEqual(expected.a);
    store.append('b', tick);
    expected.b!.push(tick);
    expect(logOf(store, 'b')).toEqual(expected.b);
    store.finishRound('b', null, {}, [], now);
    expect(logOf(store, 'b')).toEqual(expected.b);
    store.close();
  });

  it('loses nothing of a round that starts just before another finishes', () => {
    const store = new RoundStore(join(dir, 'handover.db'));
    store.beginRound('old', null, config, [], now);
    for (let i = 0; i < 5; i++) store.append('old', tick);
    // 'new' starts while the journal's last row belongs to 'old', which then finishes.
    store.beginRound('new', null, config, [], now);
    store.finishRound('old', null, {}, [], now);
    store.append('new', crash(1));
    store.append('new', tick);
    expect(logOf(store, 'new')).toEqual([crash(1), tick]);
    store.beginRound('third', null, config, [], now);
    store.append('third', tick);
    store.finishRound('new', null, {}, [], now);
    expect(logOf(store, 'new')).toEqual([crash(1), tick]);
    expect(logOf(store, 'third')).toEqual([tick]);
    expect(logOf(store, 'old')).toHaveLength(5);
    store.close();
  });

  it('turns what a killed process left running into interrupted replays on the next start', () => {
    const path = join(dir, 'killed.db');
    const before = new RoundStore(path);
    before.beginRound('done', null, config, [], now);
    before.append('done', tick);
    before.finishRound('done', 'X', {}, [], now);
    before.beginRound('cut', null, config, [], now);
    before.append('cut', tick);
    before.append('cut', crash(2));
    // The round never finishes: the connection just goes, as with a killed process.
    before.close();
    const after = new RoundStore(path);
    expect(after.markInterrupted(now)).toBe(1);
    expect(after.roundState('cut')).toBe('interrupted');
    expect(logOf(after, 'cut')).toEqual([tick, crash(2)]);
    expect(after.roundDocument('cut')!.meta.interrupted).toBe(true);
    expect(logOf(after, 'done')).toEqual([tick]);
    after.beginRound('next', null, config, [], now);
    after.append('next', tick);
    expect(logOf(after, 'next')).toEqual([tick]);
    after.close();
  });

  it('recovers every whole line of the journal, skipping one cut short by the kill', () => {
    const path = join(dir, 'torn.db');
    const before = new RoundStore(path);
    before.beginRound('cut', null, config, [], now);
    before.append('cut', tick);
    before.append('cut', crash(1));
    before.close();
    // The process died in the middle of writing a third line.
    appendFileSync(`${path}.running.log`, '{"round":"cut","index":2,"comm');
    const after = new RoundStore(path);
    expect(after.markInterrupted(now)).toBe(1);
    expect(logOf(after, 'cut')).toEqual([tick, crash(1)]);
    // The journal starts again empty, and the next round's commands are kept as before.
    expect(statSync(`${path}.running.log`).size).toBe(0);
    after.beginRound('next', null, config, [], now);
    after.append('next', tick);
    after.finishRound('next', null, {}, [], now);
    expect(logOf(after, 'next')).toEqual([tick]);
    after.close();
  });

  it('rewrites a large journal without the rounds that have finished, keeping the running ones whole', () => {
    const path = join(dir, 'compact.db');
    const journal = `${path}.running.log`;
    const store = new RoundStore(path, { journalCompactBytes: 20_000 });
    store.beginRound('long', null, config, [], now);
    const long: Command[] = [];
    let largest = 0;
    for (let r = 0; r < 30; r++) {
      store.beginRound(`short-${r}`, null, config, [], now);
      for (let i = 0; i < 40; i++) store.append(`short-${r}`, tick);
      store.append('long', crash(r % 5));
      long.push(crash(r % 5));
      largest = Math.max(largest, statSync(journal).size);
      store.finishRound(`short-${r}`, null, {}, [], now);
    }
    // Without rewriting, the journal would hold all 1,230 lines (over 60 kB); it never grew far past the limit.
    expect(largest).toBeLessThan(30_000);
    expect(statSync(journal).size).toBeLessThan(20_000);
    expect(logOf(store, 'short-29')).toHaveLength(40);
    store.close();
    const after = new RoundStore(path);
    after.markInterrupted(now);
    expect(logOf(after, 'long')).toEqual(long);
    expect(logOf(after, 'short-3')).toHaveLength(40);
    after.close();
  });

  it('keeps the file to one server at a time', () => {
    const path = join(dir, 'owned.db');
    const owner = new RoundStore(path);
    owner.beginRound('r', null, config, [], now);
    expect(() => new RoundStore(path)).toThrow(/locked: another Quorum server is using it/);
    owner.close();
    const next = new RoundStore(path);
    expect(next.roundState('r')).toBe('running');
    next.close();
  });
});

describe('groups and seating', () => {
  const seating = {
    holders: [
      { node: 1, nickname: 'Ada', from: 0, to: 3 },
      { node: 1, nickname: 'Bo', from: 3, to: null },
    ],
    // Given in any order, kept in order.
    botMoves: [4, 2],
  };

  it("keeps a round's group and seating, lists the class's rounds by group within each start, and serves both in the round's document", () => {
    const store = new RoundStore(':memory:');
    const later = '2026-01-01T00:05:00.000Z';
    for (const [id, group, at] of [['g3', 3, now], ['g1', 1, now], ['next-g1', 1, later], ['g2', 2, now]] as const) {
      store.beginRound(id, 'ABCDEF', config, [{ node: 1, nickname: 'Bo' }], at, null, group);
      for (let i = 0; i < 5; i++) store.append(id, tick);
    }
    store.finishRound('g2', null, {}, [{ node: 1, nickname: 'Bo' }], now, 'finished', seating);
    expect(store.listRounds('ABCDEF').map((r) => [r.id, r.group])).toEqual([['g1', 1], ['g2', 2], ['g3', 3], ['next-g1', 1]]);
    const doc = store.roundDocument('g2')!;
    expect(doc.meta).toMatchObject({ group: 2, holders: seating.holders, botMoves: [2, 4] });
    expect(parseRound(doc).ok).toBe(true);
    // A round still running, or one finished without seating, says only its group.
    expect(store.roundDocument('g3')!.meta.group).toBe(3);
    expect(store.roundDocument('g3')!.meta.holders).toBeUndefined();
    store.beginRound('solo', null, config, [], now);
    store.finishRound('solo', null, {}, [], now);
    expect(store.roundDocument('solo')!.meta.group).toBeUndefined();
    store.close();
  });

  it('keeps no seating that does not fit its round, so that the round it serves still parses', () => {
    const store = new RoundStore(':memory:');
    store.beginRound('r', 'ABCDEF', config, [], now, null, 1);
    store.append('r', tick);
    const warn = console.warn;
    console.warn = () => {};
    try {
      store.finishRound('r', null, {}, [], now, 'finished', { holders: [{ node: 1, nickname: 'Ada', from: 0, to: 5 }], botMoves: [] });
    } finally {
      console.warn = warn;
    }
    const doc = store.roundDocument('r')!;
    expect(doc.meta.holders).toBeUndefined();
    expect(parseRound(doc).ok).toBe(true);
    store.close();
  });

  it('adds the group and seating columns to a database made before them, keeping its rounds', () => {
    const path = join(dir, 'before-groups.db');
    const old = new Database(path);
    old.exec(`
      CREATE TABLE classes (code TEXT PRIMARY KEY, title TEXT NOT NULL, key_hash TEXT NOT NULL, created_at TEXT NOT NULL, closed_at TEXT);
      CREATE TABLE rounds (id TEXT PRIMARY KEY, class_code TEXT, state TEXT NOT NULL, config TEXT NOT NULL, players TEXT NOT NULL,
        outcome TEXT, result TEXT, started_at TEXT NOT NULL, ended_at TEXT, prefix BLOB, prefix_count INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE commands (round_id TEXT NOT NULL, idx INTEGER NOT NULL, command TEXT NOT NULL, PRIMARY KEY (round_id, idx)) WITHOUT ROWID;
    `);
    old.prepare(`INSERT INTO rounds (id, class_code, state, config, players, started_at, ended_at) VALUES ('old', 'ABCDEF', 'finished', ?, '[]', ?, ?)`).run(JSON.stringify(config), now, now);
    old.prepare(`INSERT INTO commands (round_id, idx, command) VALUES ('old', 0, '{"type":"tick"}')`).run();
    old.close();
    const store = new RoundStore(path);
    expect(store.listRounds('ABCDEF')).toMatchObject([{ id: 'old', group: null, commands: 1 }]);
    expect(store.roundDocument('old')!.meta.group).toBeUndefined();
    store.beginRound('new', 'ABCDEF', config, [], now, null, 2);
    store.append('new', tick);
    store.finishRound('new', null, {}, [], now, 'finished', { holders: [{ node: 0, nickname: 'Ada', from: 0, to: null }], botMoves: [0] });
    expect(store.roundDocument('new')!.meta).toMatchObject({ group: 2, holders: [{ node: 0, nickname: 'Ada', from: 0, to: null }], botMoves: [0] });
    store.close();
  });
});

describe('lesson rounds', () => {
  it("keeps the lesson a solo room played in the round's document, and its replay is the lesson again", () => {
    const store = new RoundStore(':memory:');
    // The room core, as the server runs it, storing in SQLite.
    const host = new MemoryHost({ kind: 'solo', classCode: null, limits: { tickMs: 100 }, store: store as unknown as MemoryStore });
    // Lesson 4's coordinator decides from its own view alone, as a person at the seat does.
    const lesson = lessonById('two-phase-commit')!;
    const setup = completeSetup({ protocol: lesson.setup.protocol, nodes: lesson.setup.nodes, studentSeats: [lesson.setup.player] } as RoundSetup) as Required<RoundSetup>;
    const player = host.solo(setup, undefined, lesson);
    const move = PLAYERS[lesson.id]!();
    const dummy = startLesson(lesson);
    for (let tick = 0; tick < 600 && player.got.reveal.length === 0; tick++) {
      const action = move(dummy, player.lastView!.view as NodeView);
      if (action && action !== 'bot') player.act(action);
      host.advance(100);
    }
    const id = player.got.reveal.at(-1)!.roundId!;
    const doc = store.roundDocument(id)!;
    expect(doc.meta.lesson).toBe(lesson.id);
    expect(parseRound(doc).ok).toBe(true);
    const shown = lessonReplayOf(doc) as LessonReplay;
    expect(shown.status).toBe('done');
    const expected = replayLesson(lesson, { config: doc.config, log: doc.log, players: [{ node: lesson.setup.player, nickname: 'you' }] });
    expect(shown.objectives.map((o) => o.step)).toEqual(expected.run.objectives.map((o) => o.reached!.step + 1));
    expect(shown.marks.filter((m) => m.kind === 'script').map((m) => m.text)).toEqual(expected.run.fired.filter((f) => !f.refused).map((f) => f.why));
    store.close();
  });

  it('lists the lesson of a class round, and none for a round that played none', () => {
    const store = new RoundStore(':memory:');
    store.beginRound('lesson', 'ABCDEF', config, [], now, null, 1, 'two-phase-commit');
    store.beginRound('plain', 'ABCDEF', config, [], now, null, 2);
    for (const id of ['lesson', 'plain']) store.finishRound(id, null, {}, [], now);
    expect(store.listRounds('ABCDEF').map((r) => [r.id, r.lesson])).toEqual([['lesson', 'two-phase-commit'], ['plain', null]]);
    expect(store.roundDocument('lesson')!.meta.lesson).toBe('two-phase-commit');
    expect('lesson' in store.roundDocument('plain')!.meta).toBe(false);
    store.close();
  });

  it('adds the lesson column to a database made before it, its rounds playing none', () => {
    const path = join(dir, 'before-lessons.db');
    const old = new Database(path);
    old.exec(`
      CREATE TABLE classes (code TEXT PRIMARY KEY, title TEXT NOT NULL, key_hash TEXT NOT NULL, created_at TEXT NOT NULL, closed_at TEXT);
      CREATE TABLE rounds (id TEXT PRIMARY KEY, class_code TEXT, state TEXT NOT NULL, config TEXT NOT NULL, players TEXT NOT NULL,
        outcome TEXT, result TEXT, started_at TEXT NOT NULL, ended_at TEXT, prefix BLOB, prefix_count INTEGER NOT NULL DEFAULT 0,
        group_number INTEGER, seating TEXT);
      CREATE TABLE commands (round_id TEXT NOT NULL, idx INTEGER NOT NULL, command TEXT NOT NULL, PRIMARY KEY (round_id, idx)) WITHOUT ROWID;
    `);
    old.prepare(`INSERT INTO rounds (id, class_code, state, config, players, started_at, ended_at, group_number) VALUES ('old', 'ABCDEF', 'finished', ?, '[]', ?, ?, 1)`).run(JSON.stringify(config), now, now);
    old.close();
    const store = new RoundStore(path);
    expect(store.listRounds('ABCDEF')).toMatchObject([{ id: 'old', group: 1, lesson: null }]);
    expect('lesson' in store.roundDocument('old')!.meta).toBe(false);
    store.beginRound('new', 'ABCDEF', config, [], now, null, 1, 'two-phase-commit');
    store.finishRound('new', null, {}, [], now);
    expect(store.roundDocument('new')!.meta.lesson).toBe('two-phase-commit');
    store.close();
  });
});
