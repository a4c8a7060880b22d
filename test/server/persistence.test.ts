import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRound, type GodView, type RoundDocument } from '../../shared';
import { RoundStore } from '../../server/store';
import { createClass, joinInstructor, until, type Player } from './helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'quorum-persist-'));
const dbPath = join(dir, 'rounds.db');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The real entry point in a child process, on a free port, with the test's database. */
async function startChild(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', QUORUM_DB: dbPath, QUORUM_SKIP_CLIENT_BUILD: '1', QUORUM_TICK_MS: '20' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await until(() => /listening on http:\/\/[\d.]+:\d+/.test(out) || child.exitCode !== null, 'server start', 30_000);
  const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(out)?.[1];
  if (!port) throw new Error(`server did not start:\n${out}`);
  return { child, url: `http://127.0.0.1:${port}`, output: () => out };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));

async function rounds(url: string, code: string, key: string): Promise<{ id: string; state: string; commands: number }[]> {
  const res = await fetch(`${url}/api/rounds?class=${code}`, { headers: { 'x-instructor-key': key } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rounds: { id: string; state: string; commands: number }[] }).rounds;
}

async function doc(url: string, id: string): Promise<RoundDocument> {
  return (await (await fetch(`${url}/api/rounds/${id}`)).json()) as RoundDocument;
}

describe('persistence', () => {
  it('keeps finished rounds intact across kill -9, and the running round as an interrupted replay', async () => {
    const first = await startChild();
    const { code, instructorKey } = await createClass(first.url);
    const teacher: Player = await joinInstructor(first.url, code, instructorKey);
    teacher.send('setup', { protocol: '2pc', nodes: 3, studentSeats: [], speed: 8 });
    await until(() => teacher.lastView?.round.protocol === '2pc', 'setup');
    teacher.send('start', {});
    await until(() => teacher.got.reveal.length === 1, 'first round over', 30_000);
    const finishedId = teacher.got.reveal[0]!.roundId!;
    const finished = await doc(first.url, finishedId);

    teacher.send('nextRound', {});
    await until(() => teacher.lastView?.round.phase === 'setup', 'next round');
    teacher.send('setup', { protocol: 'paxos', nodes: 5, studentSeats: [], speed: 8, latencyMin: 20, latencyMax: 40 });
    await until(() => teacher.lastView?.round.protocol === 'paxos', 'paxos setup');
    teacher.send('start', {});
    await until(() => (teacher.lastView?.view as GodView).step >= 20, 'a running round with commands', 30_000);
    const runningId = teacher.lastView!.round.id!;
    const seenSteps = (teacher.lastView!.view as GodView).step;

    first.child.kill('SIGKILL');
    expect(await exited(first.child)).toBeNull();

    const second = await startChild();
    expect(second.output()).toMatch(/marked interrupted/);
    const list = await rounds(second.url, code, instructorKey);
    expect(list.find((r) => r.id === finishedId)!.state).toBe('finished');
    expect(list.find((r) => r.id === runningId)!.state).toBe('interrupted');
    expect(await doc(second.url, finishedId)).toEqual(finished);
    const interrupted = await doc(second.url, runningId);
    expect(interrupted.meta.interrupted).toBe(true);
    // Every command any client saw was stored before it was broadcast.
    expect(interrupted.log.length).toBeGreaterThanOrEqual(seenSteps);
    expect(parseRound(interrupted).ok).toBe(true);
    expect(parseRound(finished).ok).toBe(true);

    // SIGTERM: clients are told, the running round is kept, the process exits cleanly.
    const other = await createClass(second.url);
    const host = await joinInstructor(second.url, other.code, other.instructorKey);
    host.send('start', {});
    await until(() => (host.lastView?.view as GodView | undefined)?.step !== undefined && host.lastView!.round.phase === 'running', 'running');
    const id = host.lastView!.round.id!;
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(host.got.closed.length).toBe(1);
    const store = new RoundStore(dbPath);
    try {
      expect(store.roundState(id)).toBe('interrupted');
      expect(store.roundDocument(id)!.log.length).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
