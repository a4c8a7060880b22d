/**
 * `?bench=baseline`: the floor the round scene is measured against. A bare 2D canvas of the same
 * size, at the same pixel ratio, draws what the scene draws (the links, the nodes with their names
 * and labels in the boxes the layout gives them, every message's dot gliding along its link, and the
 * labels of the messages that have room, as the scene's sieve decides) from the same synthetic views,
 * with no game, no scene graph and no pooling around it: each frame clears the canvas and draws
 * everything again. `seek(tick)` shows another moment at once, as a replay's seek does.
 */
import { BenchFeed, FrameRecorder, benchParams, heapBytes, timeFrames, type BenchPage } from './benchFeed';
import {
  LabelSieve,
  cssColour,
  fitLabelLines,
  messageLabelCorner,
  messagePosition,
  placeLabels,
  ringLayout,
  shapePoints,
  sieveBlocked,
  styleOf,
  type LabelBox,
  type Point,
  type Rect,
} from './layout';
import { nodeLabelLines, pictureOf, type Picture } from './picture';
import { MESSAGE_LABEL_STYLE, dotSide, labelFont, labelSize } from './game/atlas';
import { FONT, TextWidths } from './game/textWidths';
import { byId } from './ui/dom';
import type { ProtocolName } from '../../shared/engine/types';

const DOT_RADIUS = 9;
const BACKGROUND = '#1b1f27';
const TEXT = '#e8ecf3';
const MUTED = '#9aa3b2';

/** One message shape at `ratio` device pixels per CSS pixel, drawn once into its own small canvas. */
function shapeSprite(kind: string | null, protocol: ProtocolName, ratio: number): HTMLCanvasElement {
  const style = styleOf(kind, protocol);
  const size = dotSide(false, ratio);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const g = canvas.getContext('2d')!;
  const points = shapePoints(style.shape, DOT_RADIUS * ratio).map((p) => ({ x: p.x + size / 2, y: p.y + size / 2 }));
  g.fillStyle = cssColour(style.colour);
  g.strokeStyle = '#0b0d12';
  g.lineWidth = 2 * ratio;
  g.beginPath();
  g.moveTo(points[0]!.x, points[0]!.y);
  for (const p of points.slice(1)) g.lineTo(p.x, p.y);
  g.closePath();
  g.fill();
  g.stroke();
  return canvas;
}

/** A node's label as the layout boxes it: the lines that fit, and where the text keeps to. */
interface NodeLabel {
  box: LabelBox;
  lines: string[];
}

export function startBaseline(): void {
  const { nodes, messages, width, height } = benchParams(location.search);
  document.body.className = 'screen-round bench';
  byId('menu').hidden = true;
  byId('side').hidden = true;
  byId('loading').hidden = true;
  byId('status').textContent = `Baseline: ${nodes} nodes, ${messages} messages in flight on a bare canvas`;
  const stage = byId('stage');
  const ratio = Math.min(3, devicePixelRatio > 0 ? devicePixelRatio : 1);
  const box = { width: width ?? (stage.clientWidth || 800), height: height ?? (stage.clientHeight || 600) };
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(box.width * ratio);
  canvas.height = Math.round(box.height * ratio);
  canvas.style.width = `${box.width}px`;
  canvas.style.height = `${box.height}px`;
  stage.append(canvas);
  // Opaque, as Phaser makes its canvas: the compositor need not blend it with the page.
  const g = canvas.getContext('2d', { alpha: false, willReadFrequently: false })!;
  const ring = ringLayout(nodes, box);
  const { positions, radius } = ring;
  const widths = new TextWidths();
  const measure = (line: string) => widths.measure(line, ring.fontSize);
  const sprites = new Map<string | null, HTMLCanvasElement>();
  const sprite = (kind: string | null): HTMLCanvasElement => sprites.get(kind) ?? sprites.set(kind, shapeSprite(kind, picture.protocol, ratio)).get(kind)!;
  const labelFontNow = labelFont(MESSAGE_LABEL_STYLE, ratio);
  const labelSizes = new Map<string, { width: number; height: number; ascent: number }>();
  const sizeOf = (text: string) => {
    let size = labelSizes.get(text);
    if (!size) {
      g.font = labelFontNow;
      labelSizes.set(text, (size = labelSize(g, text, MESSAGE_LABEL_STYLE, ratio)));
    }
    return size;
  };
  const sieve = new LabelSieve();

  // What a view says, worked out when it arrives, as the app and the scene do: the picture, the
  // nodes' labels in their boxes, and what message labels keep off.
  let picture: Picture;
  let nodeLabels: NodeLabel[] = [];
  let blocked: Rect[] = [];
  let labelKey = '';
  const viewArrived = (): void => {
    picture = pictureOf({ view: feed.view });
    const texts = picture.nodes.map((n) => nodeLabelLines(n, picture));
    const wishes = texts.map((lines) => ({ width: Math.max(0, ...lines.map(measure)), lines: lines.length }));
    const key = wishes.map((w) => `${w.width}x${w.lines}`).join(' ');
    if (key !== labelKey) {
      labelKey = key;
      const boxes = placeLabels(ring, box, wishes);
      nodeLabels = boxes.map((b, i) => ({ box: b, lines: fitLabelLines(texts[i] ?? [], b.lines, b.width, measure) }));
      blocked = sieveBlocked(positions, radius, boxes);
    } else {
      nodeLabels = nodeLabels.map((l, i) => ({ box: l.box, lines: fitLabelLines(texts[i] ?? [], l.box.lines, l.box.width, measure) }));
    }
  };
  const feed: BenchFeed = new BenchFeed(nodes, messages, viewArrived);
  viewArrived();

  const drawNodeText = (p: Point, name: string, label: NodeLabel): void => {
    g.fillStyle = TEXT;
    g.font = `bold ${Math.round(Math.max(14, radius * 0.75))}px ${FONT}`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(name, p.x, p.y);
    const { box: b, lines } = label;
    if (lines.length === 0) return;
    g.fillStyle = MUTED;
    g.font = `${ring.fontSize}px ${FONT}`;
    g.textAlign = b.align;
    g.textBaseline = 'top';
    const x = b.align === 'left' ? b.x : b.align === 'right' ? b.x + b.width : b.x + b.width / 2;
    const block = lines.length * ring.lineHeight;
    const top = b.valign === 'top' ? b.y : b.valign === 'bottom' ? b.y + b.height - block : b.y + (b.height - block) / 2;
    lines.forEach((line, i) => g.fillText(line, x, top + i * ring.lineHeight));
  };
  let at = new Float64Array(0);
  const corner: Point = { x: 0, y: 0 };
  let labelsDrawn = 0;

  const draw = (): void => {
    const now = feed.clock.now(performance.now());
    const shown = picture.messages;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = BACKGROUND;
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
    for (const p of positions) {
      g.fillStyle = '#2c3340';
      g.beginPath();
      g.arc(p.x, p.y, radius, 0, 2 * Math.PI);
      g.fill();
      g.strokeStyle = '#5b6578';
      g.lineWidth = 2;
      g.stroke();
    }
    // Dots and labels on whole device pixels, dots under labels, labels under the nodes' text: the
    // scene's depth order. A label shows only where the sieve finds it room, oldest first.
    g.setTransform(1, 0, 0, 1, 0, 0);
    const count = shown.length;
    if (at.length < 2 * count) at = new Float64Array(2 * count);
    const half = dotSide(false, ratio) / 2;
    for (let i = 0; i < count; i++) {
      const m = shown[i]!;
      const p = messagePosition(positions[m.from]!, positions[m.to]!, m.sentAt, m.deliverAt, now);
      at[2 * i] = p.x;
      at[2 * i + 1] = p.y;
      g.drawImage(sprite(m.kind), Math.round(ratio * p.x - half), Math.round(ratio * p.y - half));
    }
    sieve.reset(box, blocked);
    g.font = labelFontNow;
    g.textAlign = 'left';
    g.textBaseline = 'alphabetic';
    g.lineWidth = MESSAGE_LABEL_STYLE.strokeThickness * ratio;
    g.lineJoin = 'round';
    g.strokeStyle = MESSAGE_LABEL_STYLE.stroke;
    g.fillStyle = TEXT;
    const stroke = MESSAGE_LABEL_STYLE.strokeThickness * ratio;
    labelsDrawn = 0;
    for (let i = 0; i < count; i++) {
      const label = shown[i]!.label;
      if (!label) continue;
      const size = sizeOf(label);
      messageLabelCorner(at[2 * i]!, at[2 * i + 1]! - DOT_RADIUS - 1, size.width, size.height, ratio, corner);
      if (!sieve.place(corner.x / ratio, corner.y / ratio, size.width / ratio, size.height / ratio)) continue;
      const x = corner.x + stroke / 2;
      const y = corner.y + stroke / 2 + size.ascent;
      g.strokeText(label, x, y);
      g.fillText(label, x, y);
      labelsDrawn += 1;
    }
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    picture.nodes.forEach((n, i) => drawNodeText(positions[i]!, n.name, nodeLabels[i]!));
  };

  let running = false;
  let handle = 0;
  const loop = (): void => {
    draw();
    handle = requestAnimationFrame(loop);
  };
  const recorder = new FrameRecorder();
  const stop = (): number[] => {
    const intervals = recorder.stop();
    running = false;
    cancelAnimationFrame(handle);
    feed.pause();
    return intervals;
  };
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
    stop: () => ({ intervals: stop(), heapBytes: heapBytes(), messages: picture.messages.length }),
    size: () => ({ width: canvas.clientWidth, height: canvas.clientHeight }),
    drawFrames: (count) => timeFrames(count, feed, draw, canvas),
    still: (tick) => {
      stop();
      feed.jump(tick, false);
      draw();
      return { messages: picture.messages.length, labels: labelsDrawn };
    },
    /** The next frame shows `tick`, still, as a replay's step is shown. */
    seek: (tick: number) => {
      feed.pause();
      feed.jump(tick, false);
    },
  };
  page.start();
  (window as unknown as { quorumBench: unknown }).quorumBench = page;
}
