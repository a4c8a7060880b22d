/** Shared set-up for the server tests: a real server on a free port with a temporary database, and SDK clients that record what they receive. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import { startServer, type QuorumServer } from '../../server/app';
import type { ServerConfig } from '../../server/config';
import type { ForkWorkerOptions } from '../../server/forkWorkers';
import type { ServerMessages, ViewFrame, ViewMessage } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';

export interface TestServer extends QuorumServer {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** A server on a free port of 127.0.0.1 with a temporary database; `clientDir` also serves a built client. */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  clientDir?: string,
  forkWorkers?: Partial<ForkWorkerOptions>,
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'quorum-test-'));
  const config: ServerConfig = {
    dbPath: join(dir, 'quorum.db'),
    reconnectSeconds: 60,
    tickMs: 500,
    joinBurst: 500,
    joinPerSecond: 50,
    maxRoundTicks: 5000,
    classIdleMinutes: 240,
    adminPassword: null,
    ...overrides,
  };
  const server = await startServer({ config, port: 0, host: '127.0.0.1', log: () => {}, ...(clientDir ? { clientDir } : {}), ...(forkWorkers ? { forkWorkers } : {}) });
  const url = `http://127.0.0.1:${server.port}`;
  return {
    ...server,
    url,
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createClass(url: string, title = 'Test class'): Promise<{ code: string; instructorKey: string }> {
  const res = await fetch(`${url}/api/classes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
  if (res.status !== 201) throw new Error(`create class: ${res.status} ${await res.text()}`);
  return (await res.json()) as { code: string; instructorKey: string };
}

/** Every message by type (views assembled whole from their frames), and the acts the server applied. */
type Received = { [K in Exclude<keyof ServerMessages, 'view'>]: ServerMessages[K][] } & { view: ViewMessage[]; accepted: { seq: number }[] };

/** A connected player that keeps every message it gets, by type. */
export class Player {
  readonly got: Received = { welcome: [], view: [], rejected: [], accepted: [], reveal: [], roster: [], kicked: [], closed: [], clock: [], groups: [], comparison: [], reportLine: [], lesson: [] };
  /** Every message in arrival order (views assembled whole), for privacy checks. */
  readonly all: { type: string; message: unknown }[] = [];
  /** Every message exactly as it arrived: views may be patches. */
  readonly frames: { type: string; message: unknown }[] = [];
  private readonly views = new ViewAssembler();
  seq = 0;
  left: number | null = null;

  constructor(readonly room: Room) {
    room.onMessage('*', (type: string | number, message: unknown) => {
      const key = String(type) as keyof ServerMessages;
      this.frames.push({ type: key, message });
      const whole = key === 'view' ? this.views.accept(message as ViewFrame) : message;
      this.all.push({ type: key, message: whole });
      if (key in this.got) (this.got[key] as unknown[]).push(whole);
      const answered = key === 'view' ? (whole as ViewMessage).accepted : undefined;
      if (answered !== undefined) this.got.accepted.push({ seq: answered });
    });
    room.onLeave((code: number) => {
      this.left = code;
    });
  }

  get lastView(): ViewMessage | undefined {
    return this.got.view[this.got.view.length - 1];
  }

  send(type: string, message?: unknown): void {
    this.room.send(type, message);
  }

  act(action: object): number {
    this.seq += 1;
    this.room.send('act', { seq: this.seq, action });
    return this.seq;
  }

  async leave(): Promise<void> {
    if (this.left === null) await this.room.leave(true).catch(() => {});
  }
}

export function sdk(url: string): Client {
  return new Client(url);
}

export async function joinStudent(url: string, code: string, nickname: string): Promise<Player> {
  const room = await sdk(url).join('classroom', { code, nickname });
  return new Player(room);
}

export async function joinInstructor(url: string, code: string, instructorKey: string): Promise<Player> {
  const room = await sdk(url).join('classroom', { code, instructorKey });
  return new Player(room);
}

export async function joinSolo(url: string, protocol: string, nodes: number): Promise<Player> {
  const room = await sdk(url).create('solo', { protocol, nodes });
  return new Player(room);
}

/** Waits until `predicate` holds, polling; fails with `what` after `ms`. */
export async function until(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
