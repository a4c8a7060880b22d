/**
 * Colyseus's own tools for whoever runs the server: the monitor (live rooms and clients) and the
 * playground (join a room as a test client). They can inspect and drive any room, so they are off
 * unless QUORUM_ADMIN_PASSWORD is set, and then sit behind HTTP Basic auth (user `admin`) at
 * /admin/monitor and /admin/playground. Loaded only when enabled: both patch Colyseus's Room class.
 */
import type express from 'express';
import { sameSecret } from './secrets';

export const ADMIN_USER = 'admin';
export const MIN_ADMIN_PASSWORD_LENGTH = 12;

/** Lets a request through only with the admin's Basic credentials; compares in constant time. */
export function basicAuth(password: string): express.RequestHandler {
  const expected = `${ADMIN_USER}:${password}`;
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    if (given && sameSecret(given, expected)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="Quorum admin", charset="UTF-8"');
    res.status(401).json({ error: 'The admin tools need the admin user name and password.' });
  };
}

/** Mounts the monitor and the playground, or a plain 404 at /admin when there is no password. */
export async function mountAdmin(app: express.Express, password: string | null): Promise<void> {
  if (!password) {
    app.use('/admin', (_req, res) => {
      res.status(404).json({ error: 'The admin tools are off: set QUORUM_ADMIN_PASSWORD to turn them on.' });
    });
    return;
  }
  const [{ monitor }, { playground }] = await Promise.all([import('@colyseus/monitor'), import('@colyseus/playground')]);
  app.use('/admin', basicAuth(password));
  app.use('/admin/monitor', monitor());
  app.use('/admin/playground', playground());
}
