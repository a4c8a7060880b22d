/**
 * `?bench=1`: the round scene fed a synthetic god view (9 nodes, 300 labelled messages in flight,
 * arriving and being replaced as the ticks pass), with frame intervals measured by
 * requestAnimationFrame and performance.now() for `npm run bench -- client`.
 */
import { createWorld, makeConfig } from '../../shared/engine/world';
import { godView } from '../../shared/engine/view';
import type { Message, World } from '../../shared/engine/types';
import { TickClock } from './layout';
import { pictureOf, type Picture } from './picture';
import { pickRenderer, StartGame } from './start';
import { byId } from './ui/dom';

const NODES = 9;
const IN_FLIGHT = 300;
const MS_PER_TICK = 250;
const KINDS = ['prepare', 'promise', 'accept', 'accepted'] as const;

/** A deterministic stream of messages: each lives 2 to 9 ticks, and a new one replaces each arrival. */
export function syntheticWorld(tick: number, count = IN_FLIGHT, nodes = NODES): World {
  const world = createWorld(makeConfig('paxos', nodes, 1));
  world.tick = tick;
  const inFlight: Message[] = [];
  for (let slot = 0; slot < count; slot++) {
    const life = 2 + (slot % 8);
    const generation = Math.floor((tick + slot) / life);
    const sentAt = generation * life - slot;
    const id = slot * 100_000 + generation;
    const from = (slot * 7 + generation) % nodes;
    const to = (from + 1 + ((slot + generation) % (nodes - 1))) % nodes;
    const kind = KINDS[(slot + generation) % KINDS.length]!;
    const ballot = { n: 1 + (generation % 20), node: from };
    const payload = kind === 'promise' ? { kind, ballot, accepted: null } : kind === 'prepare' ? { kind, ballot } : { kind, ballot, value: 'X' };
    inFlight.push({ id, from, to, payload, sentAt, deliverAt: sentAt + life });
  }
  world.inFlight = inFlight;
  return world;
}

export async function startBench(): Promise<void> {
  document.body.className = 'screen-round bench';
  byId('menu').hidden = true;
  byId('side').hidden = true;
  byId('status').textContent = `Benchmark: ${NODES} nodes, ${IN_FLIGHT} messages in flight`;
  const clock = new TickClock(MS_PER_TICK);
  let tick = 10;
  let picture: Picture = pictureOf({ view: godView(syntheticWorld(tick)) });
  let version = 1;
  const started = performance.now();
  clock.observe(tick, started, true, MS_PER_TICK);
  // The "server": a new view every tick, as the real one sends.
  setInterval(() => {
    tick += 1;
    picture = pictureOf({ view: godView(syntheticWorld(tick)) });
    version += 1;
    clock.observe(tick, performance.now(), true, MS_PER_TICK);
  }, MS_PER_TICK);

  const renderer = pickRenderer();
  let readyAt = 0;
  await StartGame(
    byId('stage'),
    {
      picture: () => ({ picture: readyAt > 0 ? picture : null, version }),
      effects: () => ({ dropped: new Set(), duplicates: new Map() }),
      clock,
      nodeClicked: () => undefined,
      messageClicked: () => undefined,
      progress: () => undefined,
      ready: () => undefined,
    },
    renderer,
  ).then(({ game }) => {
    const begin = () => {
      game.scene.stop('Menu');
      game.scene.start('Round');
      readyAt = performance.now();
    };
    // Preloader hands over to Menu when its textures are made; switch to the round right after.
    const poll = setInterval(() => {
      if (game.scene.isActive('Menu')) {
        clearInterval(poll);
        begin();
      }
    }, 50);
  });

  const intervals: number[] = [];
  let last = 0;
  let recording = false;
  const frame = (now: number) => {
    if (recording && last > 0) intervals.push(now - last);
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  (window as unknown as { quorumBench: unknown }).quorumBench = {
    renderer,
    ready: () => readyAt > 0,
    start: () => {
      intervals.length = 0;
      last = 0;
      recording = true;
    },
    stop: () => {
      recording = false;
      const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return { intervals: intervals.slice(), heapBytes: memory?.usedJSHeapSize ?? null, messages: picture.messages.length };
    },
  };
}
