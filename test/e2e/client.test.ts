/**
 * The client in a real browser against the real server: a solo Paxos round to its reveal, a
 * classroom with an instructor and two students, and bad input in the menu. Screenshots go to
 * test-results/ on every run; no page may log a console error.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NodeView } from '../../shared/engine/view';
import type { ViewFrame } from '../../shared/wire/messages';
import { ViewAssembler } from '../../shared/wire/viewPatch';
import { buildClient, openPage, RESULTS, roomMessages, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir);
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

/** Answers inbox messages with the first non-ignore answer offered, until the reveal shows. */
async function playUntilReveal(page: Page, limitMs: number): Promise<number> {
  const until = Date.now() + limitMs;
  let answered = 0;
  while (Date.now() < until) {
    if (await page.locator('#reveal:not([hidden])').count()) return answered;
    const message = page.locator('ul.inbox button.msg').first();
    if (await message.count()) {
      if ((await message.getAttribute('aria-expanded')) !== 'true') await message.click().catch(() => undefined);
      const answer = page.locator('.answers button[data-action]:not([data-action="ignore"]):not([disabled])').first();
      if (await answer.count()) {
        await answer.click().catch(() => undefined);
        answered += 1;
      }
    }
    await page.waitForTimeout(150);
  }
  throw new Error('no reveal in time');
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

describe('solo', () => {
  let w: WatchedPage;

  afterAll(async () => {
    await w?.context.close();
  });

  it('plays a 5-node Paxos round from the menu to the reveal and its commit point', async () => {
    w = await openPage(harness.browser, harness.url);
    const { page } = w;
    await ready(page);
    await shot(page, 'menu.png');
    await page.selectOption('#solo-protocol', 'paxos');
    await page.selectOption('#solo-nodes', '5');
    // By keyboard: the Play button, then an inbox message, then its first answer.
    await page.focus('#play-solo');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#my-node');
    await expect(page.locator('#my-node h2').textContent()).resolves.toBe('You are node A');
    await expect(page.locator('#status').textContent()).resolves.toContain('Paxos, 5 nodes');
    // Every button offered was made from the view's legal actions: nothing else is there.
    const legal = await page.evaluate(() => {
      const app = (window as unknown as { quorum: { app: { view: { legal: { kind: string }[] } } } }).quorum.app;
      return app.view.legal.map((a) => a.kind);
    });
    expect(legal).toContain('prepare');
    // A bot may wait for its timeout (up to some thirty ticks) before its PREPARE reaches A: run fast meanwhile.
    await page.selectOption('#speed', '4');
    await page.waitForSelector('ul.inbox button.msg', { timeout: 30_000 });
    await page.selectOption('#speed', '1');
    await shot(page, 'round-in-flight.png');
    await page.focus('ul.inbox button.msg');
    await page.keyboard.press('Enter');
    await page.waitForSelector('ul.inbox button.msg[aria-expanded="true"]:focus');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.action);
    expect(['promise', 'accept', 'refuse', 'ignore']).toContain(focused);

    // A refused move: the engine's explanation in a toast and in the log.
    await page.evaluate(() => {
      const app = (window as unknown as { quorum: { app: { act(a: object, d: string): void } } }).quorum.app;
      app.act({ kind: 'promise', msg: 999_999 }, 'promised');
    });
    await page.waitForSelector('.toast:has-text("not waiting in your inbox")');
    await page.waitForSelector('#log-list li.rejected:has-text("not waiting in your inbox")');
    await page.selectOption('#speed', '2');
    const answered = await playUntilReveal(page, 60_000);
    expect(answered).toBeGreaterThan(0);
    const outcome = await page.locator('#reveal-outcome').textContent();
    expect(outcome).toMatch(/^Decided: \S+\.$/);
    const commit = await page.locator('#reveal .commit').first().textContent();
    expect(commit).toMatch(/was chosen when node [A-E]\b.* accepted it at tick \d+\. [A-E] (knew at once|did not know)/);
    // The log says it too, in words, for screen readers.
    await expect(page.locator('#log-list').textContent()).resolves.toContain('The round is over');
    await page.waitForTimeout(300);
    await shot(page, 'reveal.png');
    expect(w.errors).toEqual([]);
  });
});

/** The app's state in the page, for checks the DOM alone cannot make. */
function appState<T>(page: Page, pick: string): Promise<T> {
  return page.evaluate((expr) => {
    const app = (window as unknown as { quorum: { app: Record<string, unknown> } }).quorum.app;
    return new Function('app', `return ${expr}`)(app);
  }, pick) as Promise<T>;
}

/** Clicks the first vote the engine offers, or else puts a decree forward; returns which. */
async function firstMove(page: Page): Promise<string> {
  const move = page.locator('#moves button[data-action="vote"], #moves button[data-action="putForward"]').first();
  await move.waitFor({ timeout: 30_000 });
  const kind = (await move.getAttribute('data-action'))!;
  await move.click();
  return kind;
}

/** Votes (putting a decree forward first when no candidate is known yet) until the vote is locked. */
async function castVote(page: Page): Promise<void> {
  const locked = page.locator('#my-state li:has-text("(locked)")');
  const until = Date.now() + 30_000;
  while (!(await locked.count())) {
    if (Date.now() > until) throw new Error('could not vote');
    const vote = page.locator('#moves button[data-action="vote"]:not([disabled])').first();
    const forward = page.locator('#moves button[data-action="putForward"]:not([disabled])').first();
    if (await vote.count()) await vote.click().catch(() => undefined);
    else if (await forward.count()) await forward.click().catch(() => undefined);
    await page.waitForTimeout(200);
  }
}

async function revealText(page: Page): Promise<{ outcome: string; commits: string[] }> {
  await page.waitForSelector('#reveal:not([hidden]) #reveal-outcome', { timeout: 90_000 });
  return {
    outcome: (await page.locator('#reveal-outcome').textContent()) ?? '',
    commits: await page.locator('#reveal .commit').allTextContents(),
  };
}

describe('classroom', () => {
  const pages: WatchedPage[] = [];

  afterAll(async () => {
    for (const w of pages) await w.context.close();
  });

  it('an instructor hosts, two students join by code, a majority vote runs with a crash, and all see the same outcome', async () => {
    const teacher = await openPage(harness.browser, harness.url, { width: 1400, height: 900 });
    pages.push(teacher);
    await ready(teacher.page);
    await teacher.page.click('#host-class');
    await teacher.page.waitForSelector('#join-code-display');
    const code = (await teacher.page.locator('#join-code-display').textContent())!.trim();
    expect(code).toMatch(/^[23456789A-HJKMNP-Z]{6}$/);
    await expect(teacher.page.locator('#join-url').textContent()).resolves.toBe(`${harness.url}/join/${code}`);
    await expect(teacher.page.locator('.qr svg').count()).resolves.toBe(1);

    // Students open the join URL: the code is filled in, they type a nickname.
    const students: WatchedPage[] = [];
    for (const nickname of ['Ada', 'Barbara']) {
      const w = await openPage(harness.browser, `${harness.url}/join/${code}`, { width: 390, height: 844 });
      pages.push(w);
      students.push(w);
      await ready(w.page);
      await expect(w.page.inputValue('#join-code')).resolves.toBe(code);
      // The join link opens a page that only joins: no solo play, hosting or replays.
      await expect(w.page.locator('#play-solo, #host-class, #open-replays').count()).resolves.toBe(0);
      await expect(w.page.locator('#whole-menu').getAttribute('href')).resolves.toBe('/');
      await w.page.fill('#join-nickname', nickname);
      await w.page.click('#join-class');
      await w.page.waitForSelector('#status:has-text("You are node")');
      await w.page.waitForSelector('#waiting:has-text("Waiting for the instructor")');
    }
    await teacher.page.waitForSelector('#roster-table tbody tr:nth-child(2)');
    await expect(teacher.page.locator('#roster-table').textContent()).resolves.toMatch(/Ada.*A.*Barbara.*B/s);
    await shot(teacher.page, 'lobby.png');

    // A majority-vote round of five: A and B are students, C to E bots.
    await teacher.page.selectOption('#setup-protocol', 'majority');
    await teacher.page.selectOption('#setup-nodes', '5');
    await teacher.page.click('#start-round');
    await teacher.page.waitForSelector('#dashboard:not([hidden]) #god-nodes');
    await expect(teacher.page.locator('#status').textContent()).resolves.toContain('Majority vote, 5 nodes');

    // The instructor crashes node E: its row says so, and its durable state stays visible.
    await teacher.page.click('button[data-node="4"]');
    await teacher.page.click('#crash');
    await teacher.page.waitForSelector('tr[data-node-row="4"]:has-text("CRASHED")');
    await teacher.page.click('button[data-node="4"]');

    // The first student with a move makes it (a decree put forward, or a vote): messages go on the wire.
    // Who can move first depends on which nodes the clients asked (E's request died with E).
    const mover = await Promise.any(
      students.map((w) => w.page.locator('#moves button[data-action]').first().waitFor({ timeout: 30_000 }).then(() => w)),
    );
    await shot(mover.page, 'student-phone.png');
    await firstMove(mover.page);

    // Paused, the instructor steps one tick, duplicates a message in flight, then drops one.
    await teacher.page.click('#control-pause');
    await teacher.page.waitForSelector('#status:has-text("round paused")');
    const flight = () => teacher.page.locator('ul.flight button.msg').count();
    const tick = () => appState<number>(teacher.page, 'app.view.now');
    // One tick at a time (and more until something is on the wire, should it all have arrived).
    for (let i = 0; i < 12 && (i === 0 || (await flight()) === 0); i++) {
      const before = await tick();
      await teacher.page.click('#control-step');
      await teacher.page.waitForFunction((t) => (window as unknown as { quorum: { app: { view: { now: number } } } }).quorum.app.view.now === t + 1, before);
    }
    const n = await flight();
    // Select the first message in flight (a click toggles, so only if it is not selected already).
    const toDuplicate = teacher.page.locator('ul.flight button.msg').first();
    if ((await toDuplicate.getAttribute('aria-pressed')) !== 'true') await toDuplicate.click();
    await teacher.page.waitForSelector('ul.flight button.msg[aria-pressed="true"]');
    await teacher.page.click('#duplicate');
    await teacher.page.waitForFunction((k) => document.querySelectorAll('ul.flight button.msg').length === k + 1, n);
    // Still selected after the duplicate (the list is by arrival time); select it only if not.
    const first = teacher.page.locator('ul.flight button.msg').first();
    if ((await first.getAttribute('aria-pressed')) !== 'true') await first.click();
    await teacher.page.click('#drop');
    await teacher.page.waitForFunction((k) => document.querySelectorAll('ul.flight button.msg').length === k, n);
    await expect(teacher.page.locator('#log-list').textContent()).resolves.toMatch(/duplicated[\s\S]*dropped|dropped[\s\S]*duplicated/);
    // A partition cuts C and D off from the rest; healing joins them again.
    await teacher.page.click('button[data-node="2"]');
    await teacher.page.click('button[data-node="3"]');
    await teacher.page.waitForSelector('#partition:text-is("Cut CD off")');
    await teacher.page.click('#partition');
    await teacher.page.waitForFunction(() => JSON.stringify((window as unknown as { quorum: { app: { view: { partition: unknown } } } }).quorum.app.view.partition) === '[1,1,0,0,1]');
    await expect(appState<number[] | null>(teacher.page, 'app.picture().partition')).resolves.toEqual([1, 1, 0, 0, 1]);
    await teacher.page.click('#heal');
    await teacher.page.waitForFunction(() => (window as unknown as { quorum: { app: { view: { partition: unknown } } } }).quorum.app.view.partition === null);
    await teacher.page.click('button[data-node="2"]');
    await teacher.page.click('button[data-node="3"]');
    await teacher.page.click('#control-resume');


    // Students vote from the moves the engine offers them.
    for (const w of students) await castVote(w.page);
    await teacher.page.selectOption('#speed', '4');
    // A split vote with E down can wait forever (E might still vote): the instructor then ends the round.
    const revealed = await teacher.page
      .waitForSelector('#reveal:not([hidden])', { timeout: 15_000 })
      .then(() => true)
      .catch(() => false);
    if (!revealed) await teacher.page.click('#control-end');

    // The instructor also sees nicknames ("node B (Barbara)"); students only see node names.
    const seen = (await Promise.all([teacher, ...students].map((w) => revealText(w.page)))).map((r) => ({
      outcome: r.outcome,
      commits: r.commits.map((c) => c.replace(/ \((Ada|Barbara)\)/g, '')),
    }));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[0]!.outcome).toMatch(/^(Decided: \S+\.|Nothing was decided.*)$/);
    if (seen[0]!.outcome.startsWith('Decided')) expect(seen[0]!.commits[0]).toMatch(/vote was cast at tick \d+/);
    await teacher.page.waitForSelector('#scoreboard tbody tr');
    await expect(teacher.page.locator('#scoreboard tbody tr').first().textContent()).resolves.toContain('majority, 5 nodes');
    await shot(teacher.page, 'instructor-reveal.png');

    // Privacy: before the reveal, a student's frames held only their own node's view.
    for (const [node, w] of students.entries()) {
      const messages = roomMessages(w.frames);
      const firstReveal = messages.findIndex((m) => m.type === 'reveal');
      expect(firstReveal).toBeGreaterThan(0);
      const before = messages.slice(0, firstReveal);
      expect(before.filter((m) => m.type === 'view').length).toBeGreaterThan(3);
      const views = new ViewAssembler();
      for (const { type, message } of before) {
        expect(['welcome', 'view', 'clock', 'rejected']).toContain(type);
        // A clock update carries the time and the phase, nothing else.
        if (type === 'clock') expect(Object.keys(message as object).sort()).toEqual(['phase', 'tick']);
        if (type !== 'view') continue;
        // A patch carries parts of the same view: check the frame, then the view it builds.
        const frame = message as ViewFrame;
        for (const m of frame.patch?.add ?? []) {
          if (m.from !== node && m.to !== node) expect([m.payload, m.label]).toEqual([null, null]);
        }
        const view = views.accept(frame).view as NodeView;
        expect(view.kind).toBe('node');
        expect(view.node).toBe(node);
        expect(Object.keys(view)).not.toContain('global');
        for (const m of view.inFlight) {
          if (m.from !== node && m.to !== node) expect([m.payload, m.label]).toEqual([null, null]);
        }
      }
      // The canvas picture never held another node's state either.
      const others = await appState<string[][]>(w.page, `app.view && app.round.phase !== 'ended' ? app.picture().nodes.filter((n) => !n.isSelf).map((n) => n.lines) : []`);
      for (const lines of others) expect(lines).toEqual([]);
      expect(await w.page.locator('#god-nodes').count()).toBe(0);
    }

    // The instructor moves Ada to seat E and back; a seat held by Barbara cannot be chosen.
    const adaSeat = teacher.page.locator('select[data-key="seat-Ada"]');
    expect(await adaSeat.locator('option[disabled]').count()).toBe(1);
    await adaSeat.selectOption('4');
    await students[0]!.page.waitForFunction(() => (document.querySelector('#status')?.textContent ?? '').includes('You are node E (Ada)'));
    await teacher.page.locator('select[data-key="seat-Ada"]').selectOption('0');
    await students[0]!.page.waitForFunction(() => (document.querySelector('#status')?.textContent ?? '').includes('You are node A (Ada)'));

    // The instructor removes Barbara: she is back at the menu and told why; Ada stays.
    await teacher.page.click('button[data-key="kick-Barbara"]');
    await teacher.page.click('button[data-key="kick-Barbara"]:has-text("Really remove Barbara?")');
    await students[1]!.page.waitForSelector('.toast:has-text("removed you from the class")');
    await students[1]!.page.waitForSelector('#menu:not([hidden])');
    await teacher.page.waitForFunction(() => !document.querySelector('button[data-key="kick-Barbara"]'));
    await expect(students[0]!.page.locator('#status').textContent()).resolves.toContain('You are node A (Ada)');
    for (const w of pages) expect(w.errors).toEqual([]);
  }, 150_000);
});

describe('bad input in the menu', () => {
  it('explains a wrong code, an empty or over-long nickname, and keeps working', async () => {
    const w = await openPage(harness.browser, harness.url);
    const { page } = w;
    await ready(page);
    const error = page.locator('#join-error');

    await page.fill('#join-code', 'ABC');
    await page.fill('#join-nickname', 'Ada');
    await page.click('#join-class');
    await expect(error.textContent()).resolves.toBe('A join code has 6 characters.');

    await page.fill('#join-code', 'ABCDE0');
    await page.click('#join-class');
    await expect(error.textContent()).resolves.toContain('has no "0"');

    await page.fill('#join-code', 'ZZZZZZ');
    await page.fill('#join-nickname', '   ');
    await page.click('#join-class');
    await expect(error.textContent()).resolves.toContain('Choose a nickname');
    await expect(page.getAttribute('#join-nickname', 'aria-invalid')).resolves.toBe('true');

    await page.fill('#join-nickname', 'x'.repeat(25));
    await page.click('#join-class');
    await expect(error.textContent()).resolves.toBe('A nickname is at most 24 characters (this one has 25).');

    // A well-formed code that no class uses: the server's explanation, and still on the menu.
    await page.fill('#join-nickname', 'Ada');
    await page.click('#join-class');
    await page.waitForFunction(() => /No class is running with the code ZZZZZZ/.test(document.getElementById('join-error')!.textContent ?? ''));
    await expect(page.locator('#menu').isVisible()).resolves.toBe(true);
    await expect(page.locator('#join-class').isEnabled()).resolves.toBe(true);

    // Nothing broke: the same page still starts a solo round.
    await page.click('#play-solo');
    await page.waitForSelector('#my-node');
    // The only console errors are the browser's own lines for the refused join request.
    const unexpected = w.errors.filter((e) => !/Failed to load resource: the server responded with a status of 404/.test(e));
    expect(unexpected).toEqual([]);
    await w.context.close();
  });
});
