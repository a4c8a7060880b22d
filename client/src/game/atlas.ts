/**
 * The textures the round's messages are drawn from: every message shape in one atlas, and every
 * label on screen in another, each label drawn once however many messages carry it. With all dots
 * in one texture and all labels in another, two Blitters draw hundreds of messages without a game
 * object, a transform and a saved canvas state for each. Both are drawn at the canvas's pixel ratio,
 * a texture pixel for each device pixel, so that a frame drawn on whole device pixels is sharp.
 */
import type * as PhaserNs from 'phaser';
import { HIDDEN_STYLE, UNKNOWN_STYLE, cssColour, paletteEntries, shapePoints, type KindStyle } from '../layout';
import { FONT } from './textWidths';
import { DOT_RADIUS, textureKey } from './textures';

/** How much bigger a selected message's dot is drawn. */
export const SELECTED_SCALE = 1.5;
const GAP = 2;

/** A frame's name and size in device pixels: a bob is placed by its top-left corner. */
export interface AtlasFrame {
  name: string;
  width: number;
  height: number;
}

/**
 * A texture over a canvas this module draws on. Phaser's CanvasTexture would also keep a copy of
 * every pixel in script memory, which nothing here reads.
 */
function canvasTexture(textures: PhaserNs.Textures.TextureManager, key: string, width: number, height: number): { texture: PhaserNs.Textures.Texture; g: CanvasRenderingContext2D } {
  if (textures.exists(key)) textures.remove(key);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const texture = textures.create(key, canvas as unknown as HTMLImageElement, width, height)!;
  texture.add('__BASE', 0, 0, 0, width, height);
  return { texture, g: canvas.getContext('2d')! };
}

/** Places frames on one canvas, shelf by shelf, left to right, with a gap around each. */
export class Shelves {
  private x = GAP;
  private y = GAP;
  private row = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  /** The top-left corner for a w×h frame, or null when the canvas is full. */
  place(w: number, h: number): { x: number; y: number } | null {
    if (this.x + w + GAP > this.width) {
      this.x = GAP;
      this.y += this.row + GAP;
      this.row = 0;
    }
    if (this.y + h + GAP > this.height || w + 2 * GAP > this.width) return null;
    const at = { x: this.x, y: this.y };
    this.x += w + GAP;
    this.row = Math.max(this.row, h);
    return at;
  }

  reset(): void {
    this.x = GAP;
    this.y = GAP;
    this.row = 0;
  }
}

/** The side of a dot's frame in device pixels: the shape is DOT_RADIUS round, with room for its outline. */
export function dotSide(selected: boolean, ratio: number): number {
  return Math.ceil((DOT_RADIUS * 2 + 4) * (selected ? SELECTED_SCALE : 1) * ratio);
}

/**
 * Every message style's shape, plain and selected, at `ratio` device pixels per CSS pixel; frames are
 * named by `dotFrame`. Made again when asked for at another ratio.
 */
export function dotAtlas(textures: PhaserNs.Textures.TextureManager, ratio: number, key = 'msg-atlas'): string {
  if (textures.exists(key) && (textures.get(key).customData as { ratio?: number }).ratio === ratio) return key;
  const styles = new Map<string, KindStyle>();
  for (const style of [HIDDEN_STYLE, ...paletteEntries().map(([, s]) => s), UNKNOWN_STYLE]) styles.set(textureKey(style.shape, style.colour), style);
  const width = Math.max(256, 2 * (dotSide(true, ratio) + 2 * GAP));
  const height = GAP + styles.size * (dotSide(true, ratio) + GAP);
  const { texture, g } = canvasTexture(textures, key, width, height);
  texture.customData = { ratio };
  const shelves = new Shelves(width, height);
  for (const [name, style] of styles) {
    for (const selected of [false, true]) {
      const size = dotSide(selected, ratio);
      const at = shelves.place(size, size)!;
      const radius = DOT_RADIUS * (selected ? SELECTED_SCALE : 1) * ratio;
      const points = shapePoints(style.shape, radius).map((p) => ({ x: p.x + at.x + size / 2, y: p.y + at.y + size / 2 }));
      g.fillStyle = cssColour(style.colour);
      g.strokeStyle = '#0b0d12';
      g.lineWidth = 2 * ratio;
      g.beginPath();
      g.moveTo(points[0]!.x, points[0]!.y);
      for (const p of points.slice(1)) g.lineTo(p.x, p.y);
      g.closePath();
      g.fill();
      g.stroke();
      texture.add(dotFrame(name, selected), 0, at.x, at.y, size, size);
    }
  }
  texture.source[0]!.update();
  return key;
}

/** The atlas frame of a message style (by its texture key), plain or selected. */
export function dotFrame(styleKey: string, selected: boolean): string {
  return selected ? `${styleKey}@selected` : styleKey;
}

/** A message label's look, in CSS pixels. */
export interface LabelStyle {
  fontSize: number;
  fontFamily: string;
  stroke: string;
  strokeThickness: number;
}

/** Message labels: the atlas draws them at the canvas's pixel ratio. */
export const MESSAGE_LABEL_STYLE: LabelStyle = { fontSize: 11, fontFamily: FONT, stroke: '#1b1f27', strokeThickness: 3 };

/** The words in a log's cells (values, marks, "+N"): small, unstroked, on the cell's own ground. */
export const LOG_CELL_STYLE: LabelStyle = { fontSize: 11, fontFamily: FONT, stroke: '#1b1f27', strokeThickness: 0 };

/** The canvas font of a label drawn at `ratio` device pixels per CSS pixel. */
export function labelFont(style: LabelStyle, ratio: number): string {
  return `${style.fontSize * ratio}px ${style.fontFamily}`;
}

/**
 * A label's frame in device pixels as the atlas draws it (`g.font` set by `labelFont`), and where its
 * baseline is: the stroke reaches half its width beyond the glyphs on every side.
 */
export function labelSize(g: CanvasRenderingContext2D, text: string, style: LabelStyle, ratio: number, widest = Infinity): { width: number; height: number; ascent: number } {
  const metrics = g.measureText(text);
  const stroke = style.strokeThickness * ratio;
  const ascent = Math.ceil(metrics.fontBoundingBoxAscent);
  const width = Math.max(1, Math.min(widest, Math.ceil(metrics.width + stroke)));
  const height = Math.max(1, ascent + Math.ceil(metrics.fontBoundingBoxDescent) + Math.ceil(stroke));
  return { width, height, ascent };
}

/**
 * Labels drawn into one canvas texture, each text and colour once, at `ratio` device pixels per CSS
 * pixel. When it is full, the caller clears it and asks again for the labels it shows; frame names
 * are never reused, so a bob still naming a cleared frame is always told its new one.
 */
export class LabelAtlas {
  private readonly frames = new Map<string, AtlasFrame>();
  private readonly shelves: Shelves;
  private readonly texture: PhaserNs.Textures.Texture;
  private readonly g: CanvasRenderingContext2D;
  private made = 0;
  private drawn = false;

  constructor(
    textures: PhaserNs.Textures.TextureManager,
    readonly key: string,
    private readonly style: LabelStyle,
    readonly ratio: number,
    // Room for about 1,300 labels, several screens' worth of a busy 9-node round: clearing it means
    // drawing every shown label again in one frame, which is worth doing rarely.
    width = 2048,
    height = 1024,
  ) {
    ({ texture: this.texture, g: this.g } = canvasTexture(textures, key, width, height));
    this.shelves = new Shelves(width, height);
  }

  /** The frame showing `text` in `colour`, drawn now if needed; null when the atlas is full. */
  frame(text: string, colour: string): AtlasFrame | null {
    const id = `${colour}\u0000${text}`;
    const known = this.frames.get(id);
    if (known) return known;
    const made = this.draw(text, colour);
    if (made) this.frames.set(id, made);
    return made;
  }

  /** Forgets every label and frees the whole canvas. */
  clear(): void {
    for (const frame of this.frames.values()) this.texture.remove(frame.name);
    this.frames.clear();
    this.shelves.reset();
    this.g.clearRect(0, 0, this.shelves.width, this.shelves.height);
    this.drawn = true;
  }

  /** Hands what was drawn since the last call to the renderer (an upload under WebGL). */
  flush(): void {
    if (!this.drawn) return;
    this.texture.source[0]!.update();
    this.drawn = false;
  }

  /** Drawn as Phaser draws a stroked Text: stroke then fill, alphabetic baseline, round joins. */
  private draw(text: string, colour: string): AtlasFrame | null {
    const g = this.g;
    g.font = labelFont(this.style, this.ratio);
    const strokeThickness = this.style.strokeThickness * this.ratio;
    // A label wider than the whole atlas (no protocol makes one) is cut at its right edge.
    const { width, height, ascent } = labelSize(g, text, this.style, this.ratio, this.shelves.width - 2 * GAP);
    const at = this.shelves.place(width, height);
    if (!at) return null;
    g.textBaseline = 'alphabetic';
    g.lineCap = 'round';
    g.lineJoin = 'round';
    const x = at.x + strokeThickness / 2;
    const y = at.y + strokeThickness / 2 + ascent;
    if (strokeThickness > 0) {
      g.strokeStyle = this.style.stroke;
      g.lineWidth = strokeThickness;
      g.strokeText(text, x, y);
    }
    g.fillStyle = colour;
    g.fillText(text, x, y);
    const name = `label-${(this.made += 1)}`;
    this.texture.add(name, 0, at.x, at.y, width, height);
    this.drawn = true;
    return { name, width, height };
  }
}
