/**
 * Draws the space-time diagram on a 2D canvas. The lanes and arrows are drawn once into an offscreen
 * canvas; each seek only copies it and draws the cursor, so scrubbing stays cheap.
 */
import { nodeName } from '../../../shared/engine/names';
import type { ProtocolName } from '../../../shared/engine/types';
import type { MessageTrace } from '../../../shared/engine/timeline';
import { cssColour, styleOf } from '../layout';
import { arrowAt, layoutDiagram, type DiagramArrow, type DiagramLayout, type DiagramSize } from './diagram';

const LANE = '#3a4252';
const TEXT = '#a3acbb';
const CURSOR = '#f0e442';
const LOST = '#d55e00';
/** How many ticks the diagram shows at once. */
export const WINDOW_TICKS = 80;

export class DiagramCanvas {
  readonly element: HTMLCanvasElement;
  private layout: DiagramLayout | null = null;
  private backdrop: HTMLCanvasElement | null = null;
  private size: DiagramSize = { width: 0, height: 0, gutter: 28, padding: 12 };
  /** The window of ticks shown: a long round scrolls under a fixed width. */
  private from = 0;
  private readonly span: number;

  constructor(
    private readonly protocol: ProtocolName,
    private readonly nodes: number,
    private messages: readonly MessageTrace[],
    private readonly maxTick: number,
    onSeek: (step: number, arrow: DiagramArrow) => void,
  ) {
    this.span = Math.max(1, Math.min(maxTick, WINDOW_TICKS));
    this.element = document.createElement('canvas');
    this.element.className = 'diagram';
    this.element.setAttribute('role', 'img');
    this.describe();
    this.element.addEventListener('click', (event) => {
      if (!this.layout) return;
      const rect = this.element.getBoundingClientRect();
      const arrow = arrowAt(this.layout, event.clientX - rect.left, event.clientY - rect.top);
      if (arrow) onSeek(arrow.seekStep, arrow);
    });
  }

  /** The messages drawn changed (another point of view): repaint. */
  setMessages(messages: readonly MessageTrace[]): void {
    if (messages === this.messages) return;
    this.messages = messages;
    this.describe();
    if (this.size.width > 0) this.paint();
  }

  /** How many arrows the diagram draws, for tests and screen readers. */
  get arrowCount(): number {
    return this.messages.length;
  }

  private describe(): void {
    this.element.dataset.messages = String(this.messages.length);
    this.element.setAttribute('aria-label', `Space-time diagram: ${this.messages.length} messages between ${this.nodes} nodes. Click an arrow to jump to the moment it was sent.`);
  }

  /** Sizes the canvas and paints the static part. */
  resize(width: number, height: number): void {
    const ratio = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1;
    this.size = { ...this.size, width, height };
    this.element.width = Math.round(width * ratio);
    this.element.height = Math.round(height * ratio);
    this.element.style.width = `${width}px`;
    this.element.style.height = `${height}px`;
    this.paint();
  }

  /** Lays out and paints the lanes and arrows of the current window into the offscreen backdrop. */
  private paint(): void {
    const { width } = this.size;
    const ratio = this.element.width / Math.max(1, width);
    this.layout = layoutDiagram(this.nodes, this.messages, this.span, this.size, this.from);
    // One backdrop canvas, painted over: a new canvas and context on every scroll of the window
    // cost a seek more than painting it.
    const backdrop = this.backdrop ?? document.createElement('canvas');
    if (backdrop.width !== this.element.width || backdrop.height !== this.element.height) {
      backdrop.width = this.element.width;
      backdrop.height = this.element.height;
    }
    const g = backdrop.getContext('2d');
    if (!g) return;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, this.size.height);
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (const lane of this.layout.lanes) {
      g.strokeStyle = LANE;
      g.lineWidth = 1;
      g.beginPath();
      g.moveTo(this.size.gutter, lane.y);
      g.lineTo(width - this.size.padding, lane.y);
      g.stroke();
      g.fillStyle = TEXT;
      g.fillText(nodeName(lane.node), 6, lane.y);
    }
    // Arrows that cross the window's left edge must not run over the node names.
    g.save();
    g.beginPath();
    g.rect(this.size.gutter, 0, width - this.size.gutter, this.size.height);
    g.clip();
    for (const a of this.layout.arrows) {
      const lost = a.fate === 'dropped' || a.fate === 'lost';
      g.strokeStyle = lost ? LOST : cssColour(styleOf(a.kind, this.protocol).colour);
      g.globalAlpha = a.fate === 'in-flight' ? 0.5 : 0.85;
      g.setLineDash(a.duplicate ? [3, 3] : []);
      g.beginPath();
      g.moveTo(a.x1, a.y1);
      g.lineTo(a.x2, a.y2);
      g.stroke();
      if (lost) {
        // A cross where the message vanished.
        g.beginPath();
        g.moveTo(a.x2 - 3, a.y2 - 3);
        g.lineTo(a.x2 + 3, a.y2 + 3);
        g.moveTo(a.x2 + 3, a.y2 - 3);
        g.lineTo(a.x2 - 3, a.y2 + 3);
        g.stroke();
      } else {
        const angle = Math.atan2(a.y2 - a.y1, a.x2 - a.x1);
        g.beginPath();
        g.moveTo(a.x2, a.y2);
        g.lineTo(a.x2 - 6 * Math.cos(angle - 0.4), a.y2 - 6 * Math.sin(angle - 0.4));
        g.lineTo(a.x2 - 6 * Math.cos(angle + 0.4), a.y2 - 6 * Math.sin(angle + 0.4));
        g.closePath();
        g.fillStyle = g.strokeStyle;
        g.fill();
      }
    }
    g.globalAlpha = 1;
    g.setLineDash([]);
    g.restore();
    this.backdrop = backdrop;
  }

  /** Draws the diagram with the cursor at `tick` and the arrows of the current step emphasised. */
  draw(tick: number, step: number): void {
    // Keep the cursor inside the middle of the window; move the window in whole steps when it leaves.
    const margin = this.span / 6;
    if (this.span < this.maxTick && (tick < this.from + margin || tick > this.from + this.span - margin)) {
      const from = Math.max(0, Math.min(this.maxTick - this.span, Math.round(tick - this.span / 3)));
      if (from !== this.from) {
        this.from = from;
        this.paint();
      }
    }
    const g = this.element.getContext('2d');
    if (!g || !this.layout || !this.backdrop) return;
    const ratio = this.element.width / Math.max(1, this.size.width);
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.element.width, this.element.height);
    g.drawImage(this.backdrop, 0, 0);
    g.scale(ratio, ratio);
    const x = this.layout.xOfTick(tick);
    g.strokeStyle = CURSOR;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, this.size.height);
    g.stroke();
    g.lineWidth = 3;
    for (const a of this.layout.arrows) {
      if (a.sentStep !== step && a.endStep !== step) continue;
      g.strokeStyle = CURSOR;
      g.beginPath();
      g.moveTo(a.x1, a.y1);
      g.lineTo(a.x2, a.y2);
      g.stroke();
    }
  }
}
