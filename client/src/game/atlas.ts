/**
 * The textures the round's messages are drawn from: every message shape in one atlas, and every
 * label on screen in another, each label drawn once however many messages carry it. With all dots
 * in one texture and all labels in another, two Blitters draw hundreds of messages without a game
 * object, a transform and a saved canvas state for each.
 */
import type * as PhaserNs from 'phaser';
import { HIDDEN_STYLE, cssColour, paletteEntries, shapePoints, styleOf, type KindStyle } from '../layout';
import { DOT_RADIUS, textureKey } from './textures';

/** How much bigger a selected message's dot is drawn. */
export const SELECTED_SCALE = 1.5;
const GAP = 2;

/** A frame's name and half its size: a bob is placed by its top-left corner. */
export interface AtlasFrame {
  name: string;
  halfWidth: number;
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

/** Every message style's shape, plain and selected; frames are named by `dotFrame`. */
export function dotAtlas(textures: PhaserNs.Textures.TextureManager, key = 'msg-atlas'): string {
  if (textures.exists(key)) return key;
  const styles = new Map<string, KindStyle>();
  for (const style of [HIDDEN_STYLE, ...paletteEntries().map(([, s]) => s), styleOf('unknown-kind')]) styles.set(textureKey(style.shape, style.colour), style);
  const big = Math.ceil((DOT_RADIUS * 2 + 4) * SELECTED_SCALE);
  const { texture, g } = canvasTexture(textures, key, 256, GAP + styles.size * (big + GAP));
  const shelves = new Shelves(256, GAP + styles.size * (big + GAP));
  for (const [name, style] of styles) {
    for (const scale of [1, SELECTED_SCALE]) {
      const size = Math.ceil((DOT_RADIUS * 2 + 4) * scale);
      const at = shelves.place(size, size)!;
      const points = shapePoints(style.shape, DOT_RADIUS * scale).map((p) => ({ x: p.x + at.x + size / 2, y: p.y + at.y + size / 2 }));
      g.fillStyle = cssColour(style.colour);
      g.strokeStyle = '#0b0d12';
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(points[0]!.x, points[0]!.y);
      for (const p of points.slice(1)) g.lineTo(p.x, p.y);
      g.closePath();
      g.fill();
      g.stroke();
      texture.add(dotFrame(name, scale !== 1), 0, at.x, at.y, size, size);
    }
  }
  texture.source[0]!.update();
  return key;
}

/** The atlas frame of a message style (by its texture key), plain or selected. */
export function dotFrame(styleKey: string, selected: boolean): string {
  return selected ? `${styleKey}@selected` : styleKey;
}

export interface LabelStyle {
  font: string;
  stroke: string;
  strokeThickness: number;
}

/**
 * Labels drawn into one canvas texture, each text and colour once. When it is full, the caller
 * clears it and asks again for the labels it shows; frame names are never reused, so a bob still
 * naming a cleared frame is always told its new one.
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
    const { font, stroke, strokeThickness } = this.style;
    const g = this.g;
    g.font = font;
    const metrics = g.measureText(text);
    const ascent = Math.ceil(metrics.fontBoundingBoxAscent);
    // A label wider than the whole atlas (no protocol makes one) is cut at its right edge.
    const width = Math.max(1, Math.min(this.shelves.width - 2 * GAP, Math.ceil(metrics.width + strokeThickness)));
    const height = Math.max(1, ascent + Math.ceil(metrics.fontBoundingBoxDescent) + strokeThickness);
    const at = this.shelves.place(width, height);
    if (!at) return null;
    g.textBaseline = 'alphabetic';
    g.lineCap = 'round';
    g.lineJoin = 'round';
    const x = at.x + strokeThickness / 2;
    const y = at.y + strokeThickness / 2 + ascent;
    if (strokeThickness > 0) {
      g.strokeStyle = stroke;
      g.lineWidth = strokeThickness;
      g.strokeText(text, x, y);
    }
    g.fillStyle = colour;
    g.fillText(text, x, y);
    const name = `label-${(this.made += 1)}`;
    this.texture.add(name, 0, at.x, at.y, width, height);
    this.drawn = true;
    return { name, halfWidth: width / 2, height };
  }
}
