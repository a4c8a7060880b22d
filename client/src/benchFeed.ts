/**
 * What both benchmark pages share: the synthetic round they draw (a stand-in for the server's views,
 * a new one every tick) and the frame recorder. `?bench=1` draws it with the round scene,
 * `?bench=baseline` with a bare canvas; `npm run bench -- client` and `-- replay` measure them in
 * turns, each paused while the other runs.
 */
import { createWorld, makeConfig } from '../../shared/engine/world';
import { godView, type GodView } from '../../shared/engine/view';
import type { Message, World } from '../../shared/engine/types';
import { TickClock } from './layout';

export const BENCH_NODES = 9;
export const BENCH_IN_FLIGHT = 300;
export const MS_PER_TICK = 250;
const KINDS = ['prepare', 'promise', 'accept', 'accepted'] as const;

/** A deterministic stream of messages: each lives 2 to 9 ticks, and a new one replaces each arrival. */
export function syntheticWorld(tick: number, count = BENCH_IN_FLIGHT, nodes = BENCH_NODES): World {
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

/** The page's query: how many nodes and messages, and (baseline only) the canvas size to match. */
export function benchParams(search: string): { nodes: number; messages: number; width: number | null; height: number | null } {
  const q = new URLSearchParams(search);
  const whole = (name: string, min: number, max: number): number | null => {
    const value = Number(q.get(name));
    return q.has(name) && Number.isInteger(value) && value >= min && value <= max ? value : null;
  };
  return {
    nodes: whole('nodes', 3, 9) ?? BENCH_NODES,
    messages: whole('messages', 0, 5000) ?? BENCH_IN_FLIGHT,
    width: whole('width', 1, 10_000),
    height: whole('height', 1, 10_000),
  };
}

/**
 * The "server" of a benchmark page: a new god view every tick, observed by a tick clock as the app
 * observes the real server's. Paused, it sends nothing; `jump` shows any tick at once (a seek).
 */
export class BenchFeed {
  readonly clock = new TickClock(MS_PER_TICK);
  view: GodView;
  version = 1;
  private tick = 10;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly nodes: number,
    private readonly messages: number,
    private readonly changed: () => void = () => undefined,
  ) {
    this.view = godView(syntheticWorld(this.tick, messages, nodes));
    this.clock.observe(this.tick, performance.now(), true, MS_PER_TICK);
  }

  resume(): void {
    if (this.timer !== null) return;
    this.jump(this.tick + 1, true);
    this.timer = setInterval(() => this.jump(this.tick + 1, true), MS_PER_TICK);
  }

  pause(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The next tick's view, as if the server had sent it. */
  advance(): void {
    this.jump(this.tick + 1, true);
  }

  /** Shows `tick`'s messages; `running` says whether they glide on until the next tick. */
  jump(tick: number, running = this.timer !== null): void {
    this.tick = tick;
    this.view = godView(syntheticWorld(tick, this.messages, this.nodes));
    this.version += 1;
    this.clock.observe(tick, performance.now(), running, MS_PER_TICK);
    this.changed();
  }
}

/** Frame intervals from requestAnimationFrame while recording; no callback at all while stopped. */
export class FrameRecorder {
  private intervals: number[] = [];
  private last = 0;
  private handle = 0;

  start(): void {
    if (this.handle !== 0) return;
    this.intervals = [];
    this.last = 0;
    const frame = (now: number): void => {
      if (this.last > 0) this.intervals.push(now - this.last);
      this.last = now;
      this.handle = requestAnimationFrame(frame);
    };
    this.handle = requestAnimationFrame(frame);
  }

  stop(): number[] {
    cancelAnimationFrame(this.handle);
    this.handle = 0;
    return this.intervals.slice();
  }
}

/** The slice of a page the bench script drives: `window.quorumBench`. */
export interface BenchPage {
  kind: 'client' | 'baseline';
  renderer: string;
  ready(): boolean;
  /** Starts drawing and recording frame intervals. */
  start(): void;
  /** Stops both; returns the intervals (ms) since start, the JS heap, and the messages drawn. */
  stop(): { intervals: number[]; heapBytes: number | null; messages: number };
  /** The canvas's size in CSS pixels. */
  size(): { width: number; height: number };
  /**
   * Draws `count` frames back to back, a new view every FRAMES_PER_TICK of them, each rasterized
   * before the next; returns each frame's milliseconds. The work of a frame, without waiting for one.
   */
  drawFrames(count: number): number[];
  /**
   * Stops, shows `tick` still (as a replay's step is shown) and draws one frame of it; returns how
   * many messages and how many of their labels that frame drew.
   */
  still(tick: number): { messages: number; labels: number };
}

/** At 60 frames a second and 4 ticks a second, a view arrives every fifteenth frame. */
export const FRAMES_PER_TICK = Math.round(60 / (1000 / MS_PER_TICK));

/**
 * Times `count` calls of `frame` (a view arriving before every FRAMES_PER_TICK-th), each followed by
 * reading one pixel back, which makes the canvas rasterize what was drawn.
 */
export function timeFrames(count: number, feed: BenchFeed, frame: () => void, canvas: HTMLCanvasElement): number[] {
  const g = canvas.getContext('2d');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    if (i % FRAMES_PER_TICK === 0) feed.advance();
    frame();
    g?.getImageData(0, 0, 1, 1);
    times.push(performance.now() - t0);
  }
  return times;
}

export function heapBytes(): number | null {
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return memory?.usedJSHeapSize ?? null;
}
