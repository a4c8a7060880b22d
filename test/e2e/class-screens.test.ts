/**
 * What a class meets on its screens, in a real browser: the canvas after leaving and playing again
 * (both renderers), the ticks of the event log, the log between two rounds, an instructor's reload,
 * a 9-node god view whose labels must not overlap, a phone's canvas at its pixel ratio, the page's
 * ids and the Kick buttons' names, and the instructor's decree to propose, typed into while the
 * dashboard renders. Screenshots go to test-results/.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Replay } from '../../shared/engine/replay';
import { buildClient, openPage, PHONE, RESULTS, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;

beforeAll(async () => {
  clientDir = await buildClient();
  // Quick ticks: a 9-node round reaches its reveal in seconds.
  harness = await startHarness(clientDir, { tickMs: 200 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(RESULTS, name) });
}

/** An expression over the page's app (`app`), evaluated in the page. */
function appState<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate((expr) => {
    const app = (window as unknown as { quorum: { app: Record<string, unknown> } }).quorum.app;
    return new Function('app', `return ${expr}`)(app);
  }, expression) as Promise<T>;
}

interface LogEntry {
  tick: number | null;
  text: string;
  kind: string;
}

const logOf = (page: Page) => appState<LogEntry[]>(page, 'app.log.map((e) => ({ tick: e.tick, text: e.text, kind: e.kind }))');

interface Drawn {
  width: number;
  height: number;
  nodes: { x: number; y: number; radius: number }[];
  labels: { node: number; text: string; x: number; y: number; width: number; height: number }[];
  messageLabels: { id: number; text: string; x: number; y: number; width: number; height: number }[];
}

/** What the round scene drew, in CSS pixels of the canvas. */
function drawn(page: Page): Promise<Drawn> {
  return page.evaluate(() => {
    const game = (window as unknown as { quorum: { game(): { scene: { getScene(key: string): { drawnLayout(): unknown } } } } }).quorum.game();
    return game.scene.getScene('Round').drawnLayout();
  }) as Promise<Drawn>;
}

/** Every label (a node's or a message's) inside the canvas, clear of every node's circle, and of every other label. */
function expectNoOverlap(d: Drawn, where: string): void {
  const all = [
    ...d.labels.map((l) => ({ ...l, name: `label of node ${l.node} ("${l.text.replace(/\n/g, ' / ')}")` })),
    ...d.messageLabels.map((l) => ({ ...l, name: `label of message ${l.id} ("${l.text}")` })),
  ];
  for (const l of all) {
    const name = `${where}: ${l.name}`;
    expect(l.x, name).toBeGreaterThanOrEqual(0);
    expect(l.y, name).toBeGreaterThanOrEqual(0);
    expect(l.x + l.width, name).toBeLessThanOrEqual(d.width);
    expect(l.y + l.height, name).toBeLessThanOrEqual(d.height);
    for (const n of d.nodes) {
      const dx = Math.max(l.x - n.x, 0, n.x - (l.x + l.width));
      const dy = Math.max(l.y - n.y, 0, n.y - (l.y + l.height));
      expect(Math.hypot(dx, dy), `${name} covers a node`).toBeGreaterThanOrEqual(n.radius);
    }
  }
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      expect(apart, `${where}: the ${a.name} and the ${b.name} overlap`).toBe(true);
    }
  }
}

/** The share of the canvas's pixels that are drawn (bright): none on a black or blank canvas. */
async function drawnShare(page: Page): Promise<number> {
  const png = await page.locator('#stage canvas').screenshot();
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const g = canvas.getContext('2d')!;
    g.drawImage(image, 0, 0);
    const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.max(data[i]!, data[i + 1]!, data[i + 2]!) > 80) lit += 1;
    return lit / (data.length / 4);
  }, png.toString('base64'));
}

/** Element ids used more than once in the page. */
function repeatedIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  });
}

describe('leaving a solo round and playing again', () => {
  for (const renderer of ['canvas', 'webgl'] as const) {
    it(`draws the second round as it drew the first (${renderer})`, async () => {
      const w = await openPage(harness.browser, `${harness.url}/?renderer=${renderer}`);
      const { page } = w;
      await ready(page);
      expect(await page.evaluate(() => document.body.dataset.renderer)).toBe(renderer);
      for (let round = 1; round <= 2; round++) {
        await page.selectOption('#solo-protocol', 'paxos');
        await page.click('#play-solo');
        await page.waitForSelector('#my-node');
        // The scene draws A's label ("you", its state) once it has the picture.
        await page.waitForFunction(() => {
          const game = (window as unknown as { quorum: { game(): { scene: { isActive(k: string): boolean; getScene(k: string): { drawnLayout(): { labels: unknown[] } } } } | null } }).quorum.game();
          return game !== null && game.scene.isActive('Round') && game.scene.getScene('Round').drawnLayout().labels.length > 0;
        });
        await page.waitForTimeout(300);
        expect(w.errors).toEqual([]);
        expect(await drawnShare(page), `round ${round}: the canvas is drawn`).toBeGreaterThan(0.002);
        if (round === 1) {
          await page.click('#leave');
          await page.waitForSelector('#menu:not([hidden])');
        }
      }
      await shot(page, `solo-again-${renderer}.png`);
      expect(w.errors).toEqual([]);
      await w.context.close();
    });
  }
});

describe('the event log of a solo round', () => {
  it('logs a move at the tick it was made, even when only the clock moved since the last view', async () => {
    const w = await openPage(harness.browser, harness.url);
    const { page } = w;
    await ready(page);
    await page.selectOption('#solo-protocol', 'paxos');
    await page.click('#play-solo');
    await page.waitForSelector('#moves button[data-action="prepare"]');
    // Paxos bots wait for a timeout before their first PREPARE: until then A's view does not change.
    await page.waitForFunction(() => {
      const app = (window as unknown as { quorum: { app: { round: { tick: number }; view: { now: number } } } }).quorum.app;
      return app.round.tick >= 2 && app.round.tick > app.view.now;
    }, undefined, { timeout: 30_000 });
    const clicked = await page.evaluate(() => {
      const app = (window as unknown as { quorum: { app: { round: { tick: number } } } }).quorum.app;
      const tick = app.round.tick;
      document.querySelector<HTMLButtonElement>('#moves button[data-action="prepare"]')!.click();
      return tick;
    });
    const mine = (await logOf(page)).find((e) => e.kind === 'mine')!;
    expect(mine.text).toMatch(/^You: /);
    expect(mine.tick).toBe(clicked);
    await page.waitForSelector(`#log-list li.mine .tick:text-is("t${clicked}")`);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });
});

describe('a class of three students, one on a phone, in a 9-node round', () => {
  const students: WatchedPage[] = [];
  const nicknames = ['Alice', 'Bob', 'Carol'];
  let teacher: WatchedPage;
  let phone: WatchedPage;
  let code = '';
  let outcome = '';

  afterAll(async () => {
    for (const w of [teacher, ...students]) await w?.context.close();
  });

  it('lays out the 9-node god view with no label over another, and draws the phone at its pixel ratio', async () => {
    teacher = await openPage(harness.browser, harness.url, { width: 1280, height: 800 });
    await ready(teacher.page);
    await teacher.page.click('#host-class');
    await teacher.page.waitForSelector('#join-code-display');
    code = (await teacher.page.locator('#join-code-display').textContent())!.trim();
    for (const [i, nickname] of nicknames.entries()) {
      // Carol, on the phone, joins last: she gets node C, beside the ring, where a label meets the canvas's edge.
      const onPhone = i === 2;
      const w = await openPage(harness.browser, `${harness.url}/join/${code}`, onPhone ? PHONE.viewport! : { width: 900, height: 700 }, onPhone ? PHONE : {});
      students.push(w);
      await ready(w.page);
      await w.page.fill('#join-nickname', nickname);
      await w.page.click('#join-class');
      await w.page.waitForSelector('#status:has-text("You are node")');
    }
    phone = students[2]!;
    await teacher.page.waitForSelector('#roster-table tbody tr:nth-child(3)');
    await teacher.page.selectOption('#setup-protocol', 'majority');
    await teacher.page.selectOption('#setup-nodes', '9');
    await teacher.page.selectOption('#setup-speed', '0.25');
    await teacher.page.click('#start-round');
    await teacher.page.waitForSelector('#dashboard:not([hidden]) #god-nodes');
    // Carol makes her first move from the phone (a decree put forward, or a vote): the buttons are
    // drawn again at every tick, so a click may miss; her log says when one landed.
    const move = phone.page.locator('#moves button[data-action="vote"]:not([disabled]), #moves button[data-action="putForward"]:not([disabled])').first();
    const moved = () => appState<boolean>(phone.page, `app.log.some((e) => e.kind === 'mine')`);
    for (const until = Date.now() + 30_000; !(await moved()) && Date.now() < until; ) {
      if (await move.count()) await move.click({ timeout: 1000 }).catch(() => undefined);
      else await phone.page.waitForTimeout(100);
    }
    expect(await moved()).toBe(true);
    // While the round runs, labels change with every tick: none may ever overlap, on the instructor's
    // god view or on Carol's phone.
    // Twenty seconds of ticks is enough to see labels change; then the instructor ends the round.
    let checks = 0;
    const until = Date.now() + 20_000;
    while (Date.now() < until && !(await teacher.page.locator('#reveal:not([hidden])').count())) {
      expectNoOverlap(await drawn(teacher.page), `tick ${await appState<number>(teacher.page, 'app.round.tick')}`);
      expectNoOverlap(await drawn(phone.page), `phone, tick ${await appState<number>(phone.page, 'app.round.tick')}`);
      checks += 1;
      if (checks === 3) {
        await shot(teacher.page, 'god-view-9-nodes-running.png');
        await shot(phone.page, 'phone-running.png');
      }
      await teacher.page.waitForTimeout(250);
    }
    expect(checks).toBeGreaterThan(3);
    if (!(await teacher.page.locator('#reveal:not([hidden])').count())) await teacher.page.click('#control-end');
    await teacher.page.waitForSelector('#reveal:not([hidden]) #reveal-outcome');
    outcome = (await teacher.page.locator('#reveal-outcome').textContent())!;
    await teacher.page.waitForTimeout(300);
    // At the reveal every node's label is there, with the students' names and the commit point.
    const reveal = await drawn(teacher.page);
    expectNoOverlap(reveal, 'reveal');
    expect(reveal.labels.length).toBe(9);
    for (const nickname of nicknames) expect(reveal.labels.some((l) => l.text.includes(nickname))).toBe(true);
    await shot(teacher.page, 'god-view-9-nodes.png');
    // The next round's setup form is in the page now, beside the lobby's: still no id twice.
    expect.soft(await repeatedIds(teacher.page)).toEqual([]);

    // The phone: a canvas pixel for every device pixel, nothing cut at its edges, the whole status line.
    await phone.page.waitForSelector('#reveal:not([hidden])');
    await phone.page.waitForTimeout(300);
    const canvas = await phone.page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#stage canvas')!;
      const r = c.getBoundingClientRect();
      return { width: c.width, height: c.height, cssWidth: r.width, cssHeight: r.height, ratio: devicePixelRatio };
    });
    expect(canvas.ratio).toBe(2);
    expect.soft(canvas.width).toBe(Math.round(canvas.cssWidth * 2));
    expect.soft(canvas.height).toBe(Math.round(canvas.cssHeight * 2));
    expectNoOverlap(await drawn(phone.page), 'phone at the reveal');
    const status = await phone.page.evaluate(() => {
      const s = document.getElementById('status')!;
      const r = s.getBoundingClientRect();
      return { scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, scrollHeight: s.scrollHeight, clientHeight: s.clientHeight, right: r.right, viewport: innerWidth, text: s.textContent };
    });
    expect(status.text).toMatch(/tick \d+ · [\d.]+×$/);
    expect.soft(status.scrollWidth).toBeLessThanOrEqual(status.clientWidth);
    expect.soft(status.scrollHeight).toBeLessThanOrEqual(status.clientHeight);
    expect.soft(status.right).toBeLessThanOrEqual(status.viewport);
    await shot(phone.page, 'phone-reveal.png');
  }, 150_000);

  it('names each Kick button after its student, and repeats no element id', async () => {
    for (const nickname of nicknames) {
      await expect(teacher.page.getByRole('button', { name: `Kick ${nickname}`, exact: true }).count()).resolves.toBe(1);
    }
    for (const w of [teacher, ...students]) expect(await repeatedIds(w.page)).toEqual([]);
  });

  it('logs every event at the tick it happened: the instructor, the students and the replay agree', async () => {
    const roundId = await appState<string>(teacher.page, 'app.round.id');
    const doc = harness.server.store.roundDocument(roundId)!;
    const replay = new Replay(doc.config, doc.log);
    // Every tick at which the engine emitted each text.
    const ticks = new Map<string, Set<number>>();
    for (let i = 0; i < doc.log.length; i++) {
      const tick = replay.worldAt(i + 1).tick;
      for (const e of replay.eventsOf(i)) {
        if (!ticks.has(e.text)) ticks.set(e.text, new Set());
        ticks.get(e.text)!.add(tick);
      }
    }
    const teacherLog = (await logOf(teacher.page)).filter((e) => e.kind === 'event');
    expect(teacherLog.length).toBeGreaterThan(20);
    for (const e of teacherLog) expect([...(ticks.get(e.text) ?? [])], `instructor: "${e.text}" at t${e.tick}`).toContain(e.tick);
    for (const w of students) {
      const log = (await logOf(w.page)).filter((e) => e.kind === 'event');
      expect(log.length).toBeGreaterThan(0);
      for (const e of log) expect([...(ticks.get(e.text) ?? [])], `student: "${e.text}" at t${e.tick}`).toContain(e.tick);
    }
    // What Carol saw of her own move reached the instructor only at the next tick: it still carries its tick.
    const carol = await logOf(phone.page);
    const move = carol.filter((e) => e.kind === 'mine').at(-1)!;
    // (The instructor's log leaves out deliveries: the god view shows them on the canvas.)
    const effects = carol.filter((e) => e.kind === 'event' && e.tick !== null && e.tick >= move.tick! && e.tick <= move.tick! + 1 && teacherLog.some((t) => t.text === e.text));
    expect(effects.length).toBeGreaterThan(0);
    for (const e of effects) expect(teacherLog.filter((t) => t.text === e.text).map((t) => t.tick), e.text).toContain(e.tick);
  });

  it('brings an instructor who reloads back to the class and its reveal', async () => {
    await teacher.page.reload();
    await ready(teacher.page);
    await teacher.page.waitForSelector('#reveal:not([hidden]) #reveal-outcome', { timeout: 15_000 });
    expect(await teacher.page.locator('#reveal-outcome').textContent()).toBe(outcome);
    expect(await teacher.page.locator('#status').textContent()).toContain(`Class ${code} · instructor`);
    expect(await teacher.page.evaluate(() => document.body.classList.contains('screen-round'))).toBe(true);
    await shot(teacher.page, 'instructor-reloaded.png');
  });

  it('starts the next round with an empty event log, for the instructor and the students', async () => {
    for (const w of [teacher, ...students]) {
      expect(await w.page.locator('#log-list li').count()).toBeGreaterThan(0);
      await w.page.evaluate(() => document.querySelectorAll<HTMLElement>('#log-list li').forEach((li) => (li.dataset.old = 'yes')));
    }
    // The next round from the dashboard's form: its setup and its start arrive together.
    await teacher.page.click('summary[data-key="setup-summary"]');
    await teacher.page.selectOption('#next-setup-nodes', '5');
    await teacher.page.click('#next-start-round');
    for (const w of [teacher, ...students]) {
      await w.page.waitForFunction(() => /round running/.test(document.getElementById('status')?.textContent ?? ''));
      await w.page.waitForFunction(() => document.querySelectorAll('#log-list li').length > 0, undefined, { timeout: 15_000 }).catch(() => undefined);
    }
    await teacher.page.waitForTimeout(1000);
    for (const w of [teacher, ...students]) {
      expect(await w.page.locator('#log-list li[data-old]').count()).toBe(0);
      expect((await logOf(w.page)).map((e) => e.text).join('\n')).not.toContain('The round is over');
    }
    await expect(teacher.page.locator('#log-list li').count()).resolves.toBeGreaterThan(0);
    for (const w of [teacher, ...students]) expect(await repeatedIds(w.page)).toEqual([]);
  });

  it('shows the menu after a reload once the instructor has left the class', async () => {
    await teacher.page.click('#leave');
    await teacher.page.waitForSelector('#menu:not([hidden])');
    await teacher.page.reload();
    await ready(teacher.page);
    await teacher.page.waitForTimeout(500);
    expect(await teacher.page.locator('#menu').isVisible()).toBe(true);
    // The class is still there to go back to.
    await expect(teacher.page.locator(`button.rejoin:has-text("Back to class ${code}")`).count()).resolves.toBe(1);
    for (const w of [teacher, ...students]) expect(w.errors).toEqual([]);
  });
});

describe("the instructor's decree to propose", () => {
  let teacher: WatchedPage | undefined;

  afterAll(async () => {
    await teacher?.context.close();
  });

  it('keeps what the instructor selected and where the caret stands while the dashboard renders each tick', async () => {
    teacher = await openPage(harness.browser, harness.url, { width: 1280, height: 800 });
    const page = teacher.page;
    await ready(page);
    await page.click('#host-class');
    await page.waitForSelector('#join-code-display');
    await page.selectOption('#setup-protocol', 'raft');
    await page.click('#start-round');
    await page.waitForSelector('#dashboard:not([hidden]) #propose-decree');
    // One render of the dashboard, as each tick's view brings: the app's change, then the frame it is drawn in.
    const render = () =>
      page.evaluate(async () => {
        (window as unknown as { quorum: { app: { changed(): void } } }).quorum.app.changed();
        await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
      });
    await expect(page.inputValue('#propose-decree')).resolves.toBe('X');
    // The instructor selects the whole decree to replace it; a tick's render comes before the key.
    await page.$eval('#propose-decree', (e) => {
      (e as HTMLInputElement).focus();
      (e as HTMLInputElement).select();
    });
    await render();
    await page.keyboard.insertText('P');
    await expect(page.inputValue('#propose-decree')).resolves.toBe('P');
    // The caret stands after what was typed: the next key goes there, render or not.
    await render();
    await page.keyboard.insertText('Q');
    await expect(page.inputValue('#propose-decree')).resolves.toBe('PQ');
    await render();
    await page.keyboard.press('Home');
    await render();
    await page.keyboard.insertText('O');
    await expect(page.inputValue('#propose-decree')).resolves.toBe('OPQ');
    expect(teacher.errors).toEqual([]);
  });
});
