/**
 * One HTTP server carries everything: the Colyseus matchmaker and websockets, the JSON API, and the
 * built client (with an SPA fallback, so /join/CODE opens the game).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { Server, matchMaker } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { WebSocket as WsWebSocket } from 'ws';
import { MAX_ROUND_COMMANDS, MAX_ROUND_DOCUMENT_BYTES } from '../shared/engine/round';
import { classReportCsv } from '../shared/results';
import { check } from '../shared/wire/schema';
import { createClassRequest, ROOM_CLASSROOM, ROOM_SOLO } from '../shared/wire/messages';
import { ADDRESS_HEADER } from './address';
import { mountAdmin } from './admin';
import { ClassroomRoom } from './classroom';
import type { ServerConfig } from './config';
import { setRegistry } from './context';
import { ForkWorkers, type ForkWorkerOptions } from './forkWorkers';
import { Registry } from './registry';
import { ClassReports, ReportUnavailable, type ReportOptions } from './reports';
import { SoloRoom } from './solo';
import { RoundStore } from './store';

export interface QuorumServer {
  port: number;
  http: HttpServer;
  registry: Registry;
  store: RoundStore;
  /** The worker thread that reads forks. */
  forkWorkers: ForkWorkers;
  /** Class reports and students' own lines of them, scored in a worker thread. */
  reports: ClassReports;
  /** Ends every room (telling clients), finishes writes, closes the port and the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: ServerConfig;
  port: number;
  host: string;
  /** Folder with the built client, served when present. */
  clientDir?: string;
  /** Limits of the fork worker, when a test needs others. */
  forkWorkers?: Partial<ForkWorkerOptions>;
  /** Limits and caches of the class reports, when a test needs others. */
  reports?: Partial<ReportOptions>;
  log?: (line: string) => void;
}

const INSTRUCTOR_KEY_HEADER = 'x-instructor-key';
/** Largest JSON body the API reads. */
const MAX_BODY = '4kb';
/** A fork's body is `{round, step}`: a round document as large as one may be, and a few bytes more. */
export const MAX_FORK_BODY_BYTES = MAX_ROUND_DOCUMENT_BYTES + 1024;
const FORK_TOO_LARGE =
  `A fork's body may be at most ${MAX_FORK_BODY_BYTES.toLocaleString('en-US')} bytes ` +
  `(a round holds at most ${MAX_ROUND_COMMANDS.toLocaleString('en-US')} commands).`;
/** How long a fork's body may take to arrive: a client that trickles it in loses its place. */
const FORK_UPLOAD_MS = 30_000;


// @colyseus/core reads `WebSocket.OPEN` from the global scope when a client reconnects; Node 20 has no global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WsWebSocket;

export async function startServer(options: StartOptions): Promise<QuorumServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const store = new RoundStore(options.config.dbPath);
  const interrupted = store.markInterrupted(new Date().toISOString());
  if (interrupted > 0) log(`kept ${interrupted} round(s) that were running when the server stopped, marked interrupted`);
  const reports = new ClassReports(store, options.reports, log);
  const registry = new Registry(options.config, store, reports);
  setRegistry(registry);
  const forkWorkers = new ForkWorkers(options.forkWorkers, log);

  const http = createServer();
  // Longer than the usual client idle timeouts, so a reused keep-alive connection is not closed under a request.
  http.keepAliveTimeout = 65_000;
  const app = express();
  app.disable('x-powered-by');

  // A fork carries a whole round document. Its body is not parsed here: it streams to a worker thread.
  app.post('/api/forks', (req, res) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    if (!registry.joins.allow(address)) {
      res.status(429).json({ error: 'Too many requests from your address: wait a few seconds and try again.' });
      return;
    }
    if (Number(req.get('content-length') ?? 0) > MAX_FORK_BODY_BYTES) {
      res.set('connection', 'close').status(413).json({ error: FORK_TOO_LARGE });
      return;
    }
    const encoding = req.get('content-encoding');
    if (encoding && encoding !== 'identity') {
      res.set('connection', 'close').status(415).json({ error: 'Send the body uncompressed (no Content-Encoding).' });
      return;
    }
    const upload = forkWorkers.admit();
    if (!upload) {
      res.set({ 'retry-after': '5', connection: 'close' }).status(503).json({ error: 'The server is reading other forks right now: try again in a few seconds.' });
      return;
    }
    let bytes = 0;
    let refused = false;
    const refuse = (status: number, error: string): void => {
      if (refused) return;
      refused = true;
      upload.abort();
      req.removeAllListeners('data');
      if (!res.headersSent) res.set('connection', 'close').status(status).json({ error });
      res.on('finish', () => req.destroy());
    };
    const deadline = setTimeout(() => refuse(408, `The body took longer than ${FORK_UPLOAD_MS / 1000} s to arrive.`), FORK_UPLOAD_MS);
    res.on('close', () => {
      clearTimeout(deadline);
      upload.abort();
    });
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_FORK_BODY_BYTES) refuse(413, FORK_TOO_LARGE);
      else upload.write(chunk);
    });
    req.on('end', () => {
      clearTimeout(deadline);
      upload.end().then((outcome) => {
        if (res.headersSent || res.destroyed) return;
        if (!outcome.ok) {
          if (outcome.status === 503) res.set('retry-after', '5');
          res.status(outcome.status).json({ error: outcome.error });
          return;
        }
        const fork = registry.addFork(outcome.fork);
        const { config, step } = outcome.fork;
        res.status(201).json({ fork, protocol: config.protocol, nodes: config.nodes, step });
      });
    });
  });

  app.use(express.json({ limit: MAX_BODY }));

  app.get('/health', (_req, res) => {
    res.json({ ok: true, classes: registry.classes.size });
  });

  /** The per-address limiter the joins use: false (and a 429 sent) when this address has asked too often. */
  const withinLimit = (req: express.Request, res: express.Response): boolean => {
    if (registry.joins.allow(req.socket.remoteAddress ?? 'unknown')) return true;
    res.status(429).json({ error: 'Too many requests from your address: wait a few seconds and try again.' });
    return false;
  };

  app.post('/api/classes', async (req, res) => {
    if (!withinLimit(req, res)) return;
    const parsed = check(createClassRequest, req.body ?? {});
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.error });
      return;
    }
    const title = (parsed.value.title ?? '').trim();
    const live = registry.newClass(title);
    try {
      store.createClass(live.code, title, live.instructorKey, new Date().toISOString());
      await matchMaker.createRoom(ROOM_CLASSROOM, { code: live.code, title, createToken: registry.issueCreateToken() });
      res.status(201).json({ code: live.code, instructorKey: live.instructorKey, roomId: live.code, title });
    } catch (error) {
      registry.classes.delete(live.code);
      console.error('creating a class failed:', error);
      res.status(500).json({ error: 'The class could not be created.' });
    }
  });

  // Every request counts, so that guessing instructor keys is as slow as guessing join codes.
  app.get('/api/rounds', (req, res) => {
    if (!withinLimit(req, res)) return;
    const code = typeof req.query.class === 'string' ? req.query.class.trim().toUpperCase() : '';
    const key = req.get(INSTRUCTOR_KEY_HEADER) ?? '';
    if (!code) {
      res.status(400).json({ error: 'Name the class: /api/rounds?class=CODE.' });
      return;
    }
    if (!key || !store.checkInstructorKey(code, key)) {
      res.status(403).json({ error: `The ${INSTRUCTOR_KEY_HEADER} header must hold the instructor key of class ${code}.` });
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.json({ class: code, rounds: store.listRounds(code) });
  });

  // Scored in a worker thread (see reports.ts): a class's rounds re-run, which the thread ticking the rooms has no time for.
  app.get('/api/classes/:code/report', async (req, res) => {
    if (!withinLimit(req, res)) return;
    const code = req.params.code.trim().toUpperCase();
    const format = req.query.format;
    if (format !== 'json' && format !== 'csv') {
      res.status(400).json({ error: 'Ask for the report as ?format=json or ?format=csv.' });
      return;
    }
    if (!/^[A-Z0-9]{1,16}$/.test(code) || !store.classExists(code)) {
      res.status(404).json({ error: `There is no class ${code}.` });
      return;
    }
    const key = req.get(INSTRUCTOR_KEY_HEADER) ?? '';
    if (!key || !store.checkInstructorKey(code, key)) {
      res.status(403).json({ error: `The ${INSTRUCTOR_KEY_HEADER} header must hold the instructor key of class ${code}.` });
      return;
    }
    let report;
    try {
      report = await reports.report(code);
    } catch (error) {
      if (!(error instanceof ReportUnavailable)) throw error;
      res.set('retry-after', '5').status(503).json({ error: error.message });
      return;
    }
    if (!report) {
      res.status(404).json({ error: `There is no class ${code}.` });
      return;
    }
    res.set('Cache-Control', 'no-store');
    if (format === 'json') {
      res.json(report);
      return;
    }
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="quorum-${code}-report.csv"` });
    res.send(classReportCsv(report));
  });

  app.get('/api/rounds/:id', (req, res) => {
    if (!withinLimit(req, res)) return;
    const id = req.params.id;
    const state = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? store.roundState(id) : null;
    if (!state) {
      res.status(404).json({ error: 'No round has that id.' });
      return;
    }
    // Every view carries its round's id, and a log replays to every node's private state and every message: until the
    // round ends, only its class's instructor may read it. A solo round has no instructor, so it waits for its end.
    if (state === 'running') {
      const classCode = store.roundClass(id) ?? null;
      if (classCode === null) {
        res.status(403).json({ error: 'This round is still being played: it can be read once it has ended.' });
        return;
      }
      const key = req.get(INSTRUCTOR_KEY_HEADER) ?? '';
      if (!key || !store.checkInstructorKey(classCode, key)) {
        res.status(403).json({
          error: `This round is still being played: until it ends, only its class's instructor may read it (with the ${INSTRUCTOR_KEY_HEADER} header).`,
        });
        return;
      }
      res.set('Cache-Control', 'no-store');
    }
    res.json(store.roundDocument(id));
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'No such API route.' });
  });

  await mountAdmin(app, options.config.adminPassword);
  if (options.config.adminPassword) log('admin tools on at /admin/monitor and /admin/playground (user "admin")');

  const clientDir = options.clientDir;
  if (clientDir && existsSync(join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: 'index.html' }));
    // Client-side routes such as /join/CODE load the app, which reads the path itself.
    app.get(/^\/(?!matchmake\/).*/, (_req, res) => {
      res.sendFile(join(clientDir, 'index.html'));
    });
  }

  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) console.error('HTTP error:', error);
    if (!res.headersSent) res.status(status).json({ error: status === 413 ? 'The request is too large.' : 'The request could not be handled.' });
  });

  http.on('request', app);

  const transport = new WebSocketTransport({
    server: http,
    // Frames above the message cap are answered with `rejected`; only absurd ones are cut off here.
    maxPayload: 64 * 1024,
  });
  const server = new Server({ transport, gracefullyShutdown: false, greet: false });
  server.define(ROOM_CLASSROOM, ClassroomRoom).filterBy(['code']);
  server.define(ROOM_SOLO, SoloRoom);

  await server.listen(options.port, options.host);
  // Runs before the matchmaker's own listener: join limits need the socket's address, which its auth context lacks.
  http.prependListener('request', (req) => {
    req.headers[ADDRESS_HEADER] = req.socket.remoteAddress ?? 'unknown';
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await server.gracefullyShutdown(false);
      await forkWorkers.close();
      await reports.close();
      registry.forks.clear();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections?.();
      store.close();
      setRegistry(null);
    })());

  return { port, http, registry, store, forkWorkers, reports, close };
}
