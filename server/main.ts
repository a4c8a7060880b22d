/**
 * `npm start`: builds the client when it is missing or older than its sources, then serves the game
 * and Colyseus on one port (PORT, default 2567), bound to 127.0.0.1 unless HOST says otherwise.
 * QUORUM_DB names the SQLite file (default data/quorum.db). Colyseus's monitor and playground are
 * served at /admin only when QUORUM_ADMIN_PASSWORD is set (./admin.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer } from './app';
import { configFromEnv } from './config';

const ROOT = resolve(import.meta.dirname, '..');
const CLIENT_SRC = join(ROOT, 'client');
const CLIENT_OUT = join(ROOT, 'dist', 'client');

/** Newest modification time under a folder (0 if it does not exist). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

async function buildClientIfNeeded(): Promise<void> {
  if (!existsSync(join(CLIENT_SRC, 'index.html'))) {
    console.log('client/index.html does not exist yet: skipping the client build, serving the API and rooms only');
    return;
  }
  const built = join(CLIENT_OUT, 'index.html');
  const sources = Math.max(newest(CLIENT_SRC), newest(join(ROOT, 'shared')), newest(join(ROOT, 'vite.config.ts')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) {
    console.log('client build is up to date');
    return;
  }
  console.log('building the client (vite build)...');
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  console.log('client built into dist/client');
}

async function main(): Promise<void> {
  const config = configFromEnv();
  const port = Number(process.env.PORT ?? 2567);
  const host = process.env.HOST || '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number (got "${process.env.PORT}")`);
  if (process.env.QUORUM_SKIP_CLIENT_BUILD !== '1') await buildClientIfNeeded();

  const server = await startServer({ config, port, host, clientDir: CLIENT_OUT });
  console.log(`Quorum is listening on http://${host}:${server.port} (rounds in ${config.dbPath})`);

  // A bug in one handler must not take every class down with it: log and keep serving.
  process.on('uncaughtException', (error) => console.error('uncaught exception:', error));
  process.on('unhandledRejection', (error) => console.error('unhandled rejection:', error));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing rooms and finishing writes...`);
    server.close().then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (error) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  // A reason a person can act on (a port in use, a locked database) needs no stack trace.
  console.error(`Quorum could not start: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG) console.error(error);
  process.exit(1);
});
