/**
 * What the canvas and the replay viewer redo per frame and per step, in a real browser: a new view
 * redraws no message label already on screen, messages are drawn from two blitters on whole pixels,
 * a node's timer ring is drawn again only once it has moved, the bench pages draw nothing while paused and draw the same labels, and a replay seek makes no
 * canvas and keeps the panel's elements. Counts, not timings: they hold on a loaded machine.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runSeed } from '../../shared/sim/swarm';
import { buildClient, openPage, startHarness, type Harness, type WatchedPage } from './harness';

let clientDir = '';
let harness: Harness;
const pages: WatchedPage[] = [];

beforeAll(async () => {
  clientDir = await buildClient();
  harness = await startHarness(clientDir);
}, 120_000);

afterAll(async () => {
  for (const w of pages) await w.context.close().catch(() => undefined);
  await harness?.close();
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
});

async function open(url: string): Promise<WatchedPage> {
  const w = await openPage(harness.browser, url);
  pages.push(w);
  return w;
}

async function benchPage(query: string): Promise<Page> {
  const { page } = await open(`${harness.url}/?${query}`);
  await page.waitForFunction(() => (window as unknown as { quorumBench?: { ready(): boolean } }).quorumBench?.ready() === true, undefined, { timeout: 60_000 });
  return page;
}

/** Counts every redraw of a Phaser text (its updateText) from now on, in window.textRedraws. */
function countTextRedraws(page: Page, game: string): Promise<void> {
  return page.evaluate((expr) => {
    const scene = (new Function(`return ${expr}`)() as { scene: { getScene(key: string): { children: { list: { type: string }[] } } } }).scene.getScene('Round');
    const text = scene.children.list.find((o) => o.type === 'Text') as unknown as object;
    const proto = Object.getPrototypeOf(text) as { updateText(): unknown };
    const original = proto.updateText;
    const w = window as unknown as { textRedraws: number };
    w.textRedraws = 0;
    proto.updateText = function (this: unknown) {
      w.textRedraws += 1;
      return original.call(this);
    };
  }, game);
}

describe('the round canvas', () => {
  let page: Page;

  beforeAll(async () => {
    page = await benchPage('bench=1');
    // Let the first views arrive and the labels on screen be drawn once.
    await page.waitForTimeout(1500);
  }, 90_000);

  it('redraws no text when a new view moves messages on', async () => {
    await countTextRedraws(page, 'window.quorumBench.game');
    const ticks = async () => (await page.evaluate(() => (window as unknown as { quorumBench: { game: { scene: { getScene(k: string): { version: number } } } } }).quorumBench.game.scene.getScene('Round').version)) as number;
    const before = await ticks();
    await page.waitForTimeout(2000);
    const views = (await ticks()) - before;
    const redraws = (await page.evaluate(() => (window as unknown as { textRedraws: number }).textRedraws)) as number;
    expect(views).toBeGreaterThanOrEqual(3);
    // Dozens of messages arrive and leave with each view; the nodes' texts did not change.
    expect(redraws).toBe(0);
  });

  it('draws every message from a blitter, and the labels that have room from another, on whole pixels', async () => {
    const drawn = await page.evaluate(() => {
      type Bob = { x: number; y: number; visible: boolean; frame: { name: string; texture: { key: string } } };
      type Obj = { type: string; list?: Obj[]; children?: { list: Bob[] } };
      type Rect = { x: number; y: number; width: number; height: number; text: string };
      const b = (window as unknown as { quorumBench: { game: { scene: { getScene(k: string): { children: { list: Obj[] }; labels: { frames: Map<string, { name: string }> }; drawnLayout(): { messageLabels: Rect[] } } } } } }).quorumBench;
      const scene = b.game.scene.getScene('Round');
      const all = scene.children.list.flatMap((o) => (o.type === 'Container' ? [o, ...o.list!] : [o]));
      const blitters = all.filter((o) => o.type === 'Blitter');
      const shown = blitters.map((bl) => bl.children!.list.filter((bob) => bob.visible));
      const labelText = new Map([...scene.labels.frames].map(([id, frame]) => [frame.name, id.split('\u0000')[1]]));
      return {
        texts: all.filter((o) => o.type === 'Text').length,
        images: all.filter((o) => o.type === 'Image').length,
        blitters: blitters.length,
        dots: shown[0]!.length,
        cellWords: shown[2]!.length,
        labels: shown[1]!.map((bob) => labelText.get(bob.frame.name) ?? `no label for ${bob.frame.name}`),
        laidOut: scene.drawnLayout().messageLabels,
        textures: [...new Set(shown.flat().map((bob) => bob.frame.texture.key))],
        whole: shown.flat().every((bob) => Number.isInteger(bob.x) && Number.isInteger(bob.y)),
        status: document.getElementById('status')!.textContent,
      };
    });
    expect(drawn.status).toContain('9 nodes, 300 messages');
    // Only the nodes' names and state lines are texts; no game object per message.
    expect(drawn.texts).toBe(18);
    expect(drawn.images).toBe(0);
    // The messages' dots, their labels, and the log cells' words (none: single-decree Paxos keeps no log).
    expect(drawn.blitters).toBe(3);
    expect(drawn.cellWords).toBe(0);
    expect(drawn.dots).toBe(300);
    // Labels only where they have room: some, far from all 300, none over another.
    expect(drawn.labels.length).toBeGreaterThan(5);
    expect(drawn.labels.length).toBeLessThan(150);
    expect(drawn.labels.slice().sort()).toEqual(drawn.laidOut.map((l) => l.text).sort());
    for (const label of drawn.labels) expect(label).toMatch(/^(PREPARE|PROMISE|ACCEPT|ACCEPTED)\b/);
    for (const [i, a] of drawn.laidOut.entries()) {
      for (const c of drawn.laidOut.slice(i + 1)) expect(a.x + a.width <= c.x || c.x + c.width <= a.x || a.y + a.height <= c.y || c.y + c.height <= a.y).toBe(true);
    }
    expect(drawn.textures.sort()).toEqual(['msg-atlas', 'msg-labels']);
    expect(drawn.whole).toBe(true);
  });
  it('draws a timer ring again only when it has moved by a degree, not at every frame', async () => {
    // One synchronous run of the scene's own drawing, at chosen moments: no frame comes in between.
    const cleared = await page.evaluate(() => {
      type Timer = { setAt: number; firesAt: number };
      type Scene = {
        nodes: { timer: { clear(): unknown } }[];
        registry: { get(key: string): { picture(): { picture: { nodes: { timers: Timer[] }[] } } } };
        drawTimers(picture: unknown, now: number): void;
      };
      const scene = (window as unknown as { quorumBench: { game: { scene: { getScene(k: string): Scene } } } }).quorumBench.game.scene.getScene('Round');
      const picture = scene.registry.get('bridge').picture().picture;
      const timer = picture.nodes.find((n) => n.timers.length > 0)!.timers[0]!;
      const span = timer.firesAt - timer.setAt;
      const half = timer.setAt + span / 2;
      let clears = 0;
      const originals = scene.nodes.map((n) => n.timer.clear);
      for (const n of scene.nodes) {
        const clear = n.timer.clear;
        n.timer.clear = function (this: unknown) {
          clears += 1;
          return clear.call(this);
        };
      }
      const count = (now: number) => {
        clears = 0;
        scene.drawTimers(picture, now);
        return clears;
      };
      const result = {
        rings: picture.nodes.filter((n) => n.timers.length > 0).length,
        first: count(half),
        same: count(half),
        nudged: count(half + span / 5000),
        moved: count(half + span / 4),
      };
      scene.nodes.forEach((n, i) => (n.timer.clear = originals[i]!));
      return result;
    });
    expect(cleared.rings).toBeGreaterThan(0);
    expect(cleared.first).toBeLessThanOrEqual(cleared.rings);
    // The same moment, or a sliver of a degree later: nothing to draw again.
    expect(cleared.same).toBe(0);
    expect(cleared.nudged).toBe(0);
    expect(cleared.moved).toBe(cleared.rings);
  });
});

describe('the bench pages', () => {
  it('draw nothing while paused, and the baseline draws the same number of messages as the client', async () => {
    const client = await benchPage('bench=1');
    const size = (await client.evaluate(() => (window as unknown as { quorumBench: { size(): { width: number; height: number } } }).quorumBench.size())) as { width: number; height: number };
    const baseline = await benchPage(`bench=baseline&width=${size.width}&height=${size.height}`);
    const canvas = (page: Page) => page.evaluate(() => document.querySelector<HTMLCanvasElement>('#stage canvas')!.toDataURL());
    for (const page of [client, baseline]) {
      const measured = (await page.evaluate(() => {
        const b = (window as unknown as { quorumBench: { stop(): { messages: number } } }).quorumBench;
        return b.stop();
      })) as { messages: number };
      expect(measured.messages).toBe(300);
      const still = await canvas(page);
      await page.waitForTimeout(400);
      expect(await canvas(page)).toBe(still);
      await page.evaluate(() => (window as unknown as { quorumBench: { start(): void } }).quorumBench.start());
      await page.waitForTimeout(400);
      const intervals = (await page.evaluate(() => (window as unknown as { quorumBench: { stop(): { intervals: number[] } } }).quorumBench.stop().intervals)) as number[];
      expect(intervals.length).toBeGreaterThan(0);
      expect(await canvas(page)).not.toBe(still);
    }
    expect(await baseline.evaluate(() => document.querySelector<HTMLCanvasElement>('#stage canvas')!.width)).toBe(size.width);
    // The same moment, still: both draw every message, and the labels of the same ones, those the sieve lets through.
    type Still = { messages: number; labels: number };
    const still = (page: Page, tick: number) => page.evaluate((t) => (window as unknown as { quorumBench: { still(tick: number): Still } }).quorumBench.still(t), tick) as Promise<Still>;
    for (const tick of [40, 123, 517]) {
      const mine = await still(client, tick);
      expect(mine.messages).toBe(300);
      expect(mine.labels).toBeGreaterThan(5);
      expect(mine.labels).toBeLessThan(150);
      expect(await still(baseline, tick)).toEqual(mine);
    }
  }, 60_000);
});

describe('a replay seek', () => {
  let page: Page;

  beforeAll(async () => {
    const run = runSeed({ protocol: 'paxos', nodes: 5, seed: 7, faults: true, safetyTicks: 400 });
    const now = new Date().toISOString();
    harness.server.store.beginRound('renderinground', null, run.world.config, [], now);
    for (const command of run.log) harness.server.store.append('renderinground', command);
    harness.server.store.finishRound('renderinground', null, {}, [], now);
    ({ page } = await open(`${harness.url}/?replay=renderinground`));
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await page.waitForSelector('#replay-now .node-card', { timeout: 60_000 });
  }, 90_000);

  it('paints the diagram onto the canvas it has, keeps the step panel\'s elements and shows the new step', async () => {
    const result = await page.evaluate(async () => {
      type Diagram = { backdrop: HTMLCanvasElement | null; from: number };
      type Controller = { length: number; view(): unknown; commitPoints(): unknown[]; world(): { nodes: { crashed: boolean }[] } };
      const q = (window as unknown as { quorum: { replays: { diagram: Diagram; seek(step: number): void; current: Controller; describeNow(view: unknown, commits: unknown[]): Node[] } } }).quorum;
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      const card = () => document.querySelector('#replay-now .node-card[data-node="0"]');
      const first = card();
      const backdrop = q.replays.diagram.backdrop;
      const windows = new Set<number>();
      const length = q.replays.current.length;
      const shownRightly: boolean[] = [];
      for (let i = 1; i <= 24; i++) {
        q.replays.seek(Math.floor((i * 7919) % (length + 1)));
        await frame();
        windows.add(q.replays.diagram.from);
        // What the panel shows is what a fresh description of the step would be.
        const fresh = document.createElement('div');
        const c = q.replays.current;
        fresh.replaceChildren(...q.replays.describeNow(c.view(), c.commitPoints()));
        shownRightly.push(fresh.innerHTML === document.querySelector('#replay-now')!.innerHTML && card()!.classList.contains('crashed') === c.world().nodes[0]!.crashed);
      }
      return { sameBackdrop: q.replays.diagram.backdrop === backdrop, windows: windows.size, same: card() === first, shownRightly, length };
    });
    expect(result.length).toBeGreaterThan(400);
    // The diagram's window moved many times, each a repaint of its backdrop, always the same canvas.
    expect(result.windows).toBeGreaterThan(10);
    expect(result.sameBackdrop).toBe(true);
    expect(result.same).toBe(true);
    expect(result.shownRightly.every(Boolean)).toBe(true);
  });

  it('shows a seek as the step it lands on, with no message bursting as dropped, and shows a drop or a loss stepped onto', async () => {
    type Seen = { vanished: number[]; forked: number };
    // Counts the messages the canvas shows vanishing (dropped or lost) and splitting (duplicated).
    await page.evaluate(() => {
      type Sprite = { x: number; y: number };
      const scene = (window as unknown as { quorum: { game(): { scene: { getScene(key: string): Record<string, unknown> } } } }).quorum.game().scene.getScene('Round');
      const seen = { vanished: [] as number[], forked: 0 };
      (window as unknown as { seen: typeof seen }).seen = seen;
      const vanish = scene.vanish as (s: Sprite) => void;
      const fork = scene.fork as (a: Sprite, b: Sprite) => void;
      scene.vanish = function (this: unknown, s: Sprite) {
        seen.vanished.push(1);
        return vanish.call(this, s);
      };
      scene.fork = function (this: unknown, a: Sprite, b: Sprite) {
        seen.forked += 1;
        return fork.call(this, a, b);
      };
    });
    const frames = () => page.evaluate(async () => {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
    });
    const reset = () => page.evaluate(() => ((window as unknown as { seen: Seen }).seen = Object.assign((window as unknown as { seen: Seen }).seen, { vanished: [], forked: 0 })));
    const seen = () => page.evaluate(() => {
      const s = (window as unknown as { seen: Seen }).seen;
      return { vanished: s.vanished.length, forked: s.forked };
    });
    type Controller = { length: number; step: number; world(): { tick: number; inFlight: { id: number; deliverAt: number }[] }; replay: { eventsOf(step: number): { type: string; message?: { id: number } }[] } };
    const facts = await page.evaluate(() => {
      const q = (window as unknown as { quorum: { replays: { seek(step: number): void; current: Controller } } }).quorum;
      const c = q.replays.current;
      // Steps far apart with messages in flight at both, none of them the same message.
      const inFlightAt = (step: number) => {
        q.replays.seek(step);
        return c.world().inFlight.map((m) => m.id);
      };
      const busy: number[] = [];
      for (let step = 0; step <= c.length; step += 7) if (inFlightAt(step).length >= 3) busy.push(step);
      // The first step whose command drops a message, and the first whose tick loses one at a
      // partition or a crashed node when it is due (the canvas cannot tell that from its arrival).
      const first = (type: string) => {
        for (let step = 1; step <= c.length; step++) if (c.replay.eventsOf(step - 1).some((e) => e.type === type)) return step;
        return -1;
      };
      return { busy, drop: first('dropped'), loss: first('lost'), length: c.length };
    });
    expect(facts.busy.length).toBeGreaterThan(4);
    expect(facts.drop).toBeGreaterThan(0);
    expect(facts.loss).toBeGreaterThan(0);
    // Back and forth across the round: each seek shows another moment, not messages lost on the way.
    const order = [...facts.busy.slice(-3), ...facts.busy.slice(0, 3), facts.busy[Math.floor(facts.busy.length / 2)]!, facts.busy[0]!];
    await page.evaluate((step) => (window as unknown as { quorum: { replays: { seek(step: number): void } } }).quorum.replays.seek(step), order[0]!);
    await frames();
    await reset();
    for (const step of order.slice(1)) {
      await page.evaluate((s) => (window as unknown as { quorum: { replays: { seek(step: number): void } } }).quorum.replays.seek(s), step);
      await frames();
    }
    expect(await seen()).toEqual({ vanished: 0, forked: 0 });
    // One step forward onto the drop, and onto the loss, with the button: the message bursts where it was.
    for (const step of [facts.drop, facts.loss]) {
      await page.evaluate((s) => (window as unknown as { quorum: { replays: { seek(step: number): void } } }).quorum.replays.seek(s), step - 1);
      await frames();
      await reset();
      await page.click('#replay-forward');
      await frames();
      expect((await seen()).vanished, `step ${step}`).toBeGreaterThanOrEqual(1);
    }
  });

  it('redraws no node text when the step shows what was already there', async () => {
    await countTextRedraws(page, 'window.quorum.game()');
    const redraws = await page.evaluate(async () => {
      const q = (window as unknown as { quorum: { replays: { seek(step: number): void } } }).quorum;
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      q.replays.seek(100);
      await frame();
      await frame();
      const w = window as unknown as { textRedraws: number };
      w.textRedraws = 0;
      for (let i = 0; i < 10; i++) {
        q.replays.seek(100);
        await frame();
      }
      return w.textRedraws;
    });
    expect(redraws).toBe(0);
  });
});
