import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../server/config';
import { createClass, joinInstructor, startTestServer, type TestServer } from './helpers';

const PASSWORD = 'correct horse battery';
const basic = (user: string, password: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

describe('Colyseus monitor and playground', () => {
  it('are off without a password: /admin answers 404 and says how to turn them on', async () => {
    const server = await startTestServer();
    servers.push(server);
    for (const path of ['/admin/monitor/', '/admin/monitor/api', '/admin/playground/']) {
      const res = await fetch(`${server.url}${path}`, { headers: basic('admin', PASSWORD) });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/QUORUM_ADMIN_PASSWORD/);
    }
  });

  it('with a password: Basic auth for user admin, then the monitor lists the live rooms', async () => {
    const server = await startTestServer({ adminPassword: PASSWORD });
    servers.push(server);
    const noAuth = await fetch(`${server.url}/admin/monitor/api`);
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('www-authenticate')).toMatch(/^Basic realm="Quorum admin"/);
    for (const [user, password] of [['admin', 'wrong password!'], ['root', PASSWORD], ['admin', '']]) {
      expect((await fetch(`${server.url}/admin/monitor/api`, { headers: basic(user!, password!) })).status).toBe(401);
    }

    const { code, instructorKey } = await createClass(server.url);
    const teacher = await joinInstructor(server.url, code, instructorKey);
    const api = await fetch(`${server.url}/admin/monitor/api`, { headers: basic('admin', PASSWORD) });
    expect(api.status).toBe(200);
    const listing = (await api.json()) as { rooms: { name: string; clients: number }[] };
    expect(listing.rooms.some((r) => r.name === 'classroom' && r.clients === 1)).toBe(true);

    for (const path of ['/admin/monitor/', '/admin/playground/']) {
      const page = await fetch(`${server.url}${path}`, { headers: basic('admin', PASSWORD) });
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type'), path).toMatch(/text\/html/);
    }
    await teacher.leave();
  });

  it('refuse a short password at startup', () => {
    expect(() => configFromEnv({ QUORUM_ADMIN_PASSWORD: 'hunter2' })).toThrow(/at least 12 characters/);
    expect(configFromEnv({ QUORUM_ADMIN_PASSWORD: PASSWORD }).adminPassword).toBe(PASSWORD);
    expect(configFromEnv({}).adminPassword).toBeNull();
  });
});
