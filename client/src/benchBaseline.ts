/**
 * `?bench=baseline`: the floor the round scene is measured against. A bare 2D canvas of the same
 * size draws what the scene draws (the links, the nodes with their names and state line, every
 * message's dot and label gliding along its link) from the same synthetic views, with no game, no
 * scene graph and no pooling around it: each frame clears the canvas and draws everything again.
 * `seek(tick)` shows another moment at once, as a replay's seek does.
 */
import { BenchFeed, FrameRecorder, benchParams, heapBytes, timeFrames, type BenchPage } from './benchFeed';
import { messagePosition, nodeRadius, ringPositions, shapePoints, styleOf, cssColour, type Point } from './layout';
import { nodeSummaryLines } from './describe';
import { byId } from './ui/dom';

const FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
const DOT_RADIUS = 9;

/** One message shape, drawn once into its own small canvas, as the scene's textures are. */
function shapeSprite(kind: string | null): HTMLCanvasElement {
  const style = styleOf(kind);
  const size = DOT_RADIUS * 2 + 4;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const g = canvas.getContext('2d')!;
  const points = shapePoints(style.shape, DOT_RADIUS).map((p) => ({ x: p.x + size / 2, y: p.y + size / 2 }));
  g.fillStyle = cssColour(style.colour);
  g.strokeStyle = '#0b0d12';
  g.lineWidth = 2;
  g.beginPath();
  g.moveTo(points[0]!.x, points[0]!.y);
  for (const p of points.slice(1)) g.lineTo(p.x, p.y);
  g.closePath();
  g.fill();
  g.stroke();
  return canvas;
}

export function startBaseline(): void {
  const { nodes, messages, width, height } = benchParams(location.search);
  document.body.className = 'screen-round bench';
  byId('menu').hidden = true;
  byId('side').hidden = true;
  byId('loading').hidden = true;
  byId('status').textContent = `Baseline: ${nodes} nodes, ${messages} messages in flight on a bare canvas`;
  const stage = byId('stage');
  const canvas = document.createElement('canvas');
  canvas.width = width ?? (stage.clientWidth || 800);
  canvas.height = height ?? (stage.clientHeight || 600);
  stage.append(canvas);
  // Opaque, as Phaser makes its canvas: the compositor need not blend it with the page.
  const g = canvas.getContext('2d', { alpha: false, willReadFrequently: false })!;
  const box = { width: canvas.width, height: canvas.height };
  const positions = ringPositions(nodes, box);
  const radius = nodeRadius(nodes, box);
  const centre = { x: box.width / 2, y: box.height / 2 };
  const sprites = new Map<string | null, HTMLCanvasElement>();
  const sprite = (kind: string | null): HTMLCanvasElement => sprites.get(kind) ?? sprites.set(kind, shapeSprite(kind)).get(kind)!;
  const feed = new BenchFeed(nodes, messages);

  const drawNodeCircle = (p: Point): void => {
    g.fillStyle = '#2c3340';
    g.beginPath();
    g.arc(p.x, p.y, radius, 0, 2 * Math.PI);
    g.fill();
    g.strokeStyle = '#5b6578';
    g.lineWidth = 2;
    g.stroke();
  };
  const drawNodeText = (p: Point, name: string, info: readonly string[]): void => {
    g.fillStyle = '#e8ecf3';
    g.font = `bold ${Math.round(Math.max(14, radius * 0.75))}px ${FONT}`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(name, p.x, p.y);
    const len = Math.hypot(p.x - centre.x, p.y - centre.y) || 1;
    const [ux, uy] = [(p.x - centre.x) / len, (p.y - centre.y) / len];
    g.fillStyle = '#9aa3b2';
    g.font = `13px ${FONT}`;
    g.textAlign = Math.abs(ux) < 0.3 ? 'center' : ux > 0 ? 'left' : 'right';
    g.textBaseline = Math.abs(uy) < 0.3 ? 'middle' : uy > 0 ? 'top' : 'bottom';
    // Lines stack away from the ring, as the scene's multi-line text does.
    const lift = uy < -0.3 ? -(info.length - 1) * 14 : Math.abs(uy) < 0.3 ? -((info.length - 1) * 14) / 2 : 0;
    info.forEach((line, i) => g.fillText(line, p.x + ux * (radius + 8), p.y + uy * (radius + 8) + lift + i * 14));
  };
  let at = new Float64Array(0);

  const draw = (): void => {
    const view = feed.view;
    const now = feed.clock.now(performance.now());
    g.fillStyle = '#1b1f27';
    g.fillRect(0, 0, box.width, box.height);
    g.strokeStyle = 'rgba(70, 80, 99, 0.55)';
    g.lineWidth = 1;
    g.beginPath();
    for (let a = 0; a < nodes; a++)
      for (let b = a + 1; b < nodes; b++) {
        g.moveTo(positions[a]!.x, positions[a]!.y);
        g.lineTo(positions[b]!.x, positions[b]!.y);
      }
    g.stroke();
    for (const n of view.nodes) drawNodeCircle(positions[n.id]!);
    // Dots under labels, labels under the nodes' text: the scene's depth order.
    const count = view.inFlight.length;
    if (at.length < 2 * count) at = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) {
      const m = view.inFlight[i]!;
      const p = messagePosition(positions[m.from]!, positions[m.to]!, m.sentAt, m.deliverAt, now);
      at[2 * i] = p.x;
      at[2 * i + 1] = p.y;
      g.drawImage(sprite(m.payload?.kind ?? null), p.x - DOT_RADIUS - 2, p.y - DOT_RADIUS - 2);
    }
    g.font = `11px ${FONT}`;
    g.textAlign = 'center';
    g.textBaseline = 'bottom';
    g.lineWidth = 3;
    g.lineJoin = 'round';
    g.strokeStyle = '#1b1f27';
    g.fillStyle = '#e8ecf3';
    for (let i = 0; i < count; i++) {
      const label = view.inFlight[i]!.label;
      g.strokeText(label, at[2 * i]!, at[2 * i + 1]! - DOT_RADIUS - 1);
      g.fillText(label, at[2 * i]!, at[2 * i + 1]! - DOT_RADIUS - 1);
    }
    for (const n of view.nodes) drawNodeText(positions[n.id]!, n.name, nodeSummaryLines('paxos', n));
  };

  let running = false;
  let handle = 0;
  const loop = (): void => {
    draw();
    handle = requestAnimationFrame(loop);
  };
  const recorder = new FrameRecorder();
  const page: BenchPage & { seek(tick: number): void } = {
    kind: 'baseline',
    renderer: 'canvas',
    ready: () => true,
    start: () => {
      if (!running) {
        running = true;
        feed.resume();
        handle = requestAnimationFrame(loop);
      }
      recorder.start();
    },
    stop: () => {
      const intervals = recorder.stop();
      running = false;
      cancelAnimationFrame(handle);
      feed.pause();
      return { intervals, heapBytes: heapBytes(), messages: feed.view.inFlight.length };
    },
    size: () => ({ width: canvas.clientWidth, height: canvas.clientHeight }),
    drawFrames: (count) => timeFrames(count, feed, draw, canvas),
    /** The next frame shows `tick`, still, as a replay's step is shown. */
    seek: (tick: number) => {
      feed.pause();
      feed.jump(tick, false);
    },
  };
  page.start();
  (window as unknown as { quorumBench: unknown }).quorumBench = page;
}
