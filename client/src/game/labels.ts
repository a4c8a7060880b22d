/**
 * Message labels, each distinct text and colour drawn once into a texture that every message carrying
 * it shares. A Phaser Text redraws (and resizes) its own canvas whenever its text changes, and a round
 * replaces dozens of messages per tick, nearly all with a label already on screen: redrawing them was
 * most of the work of a tick, all of it in one frame.
 */
import type * as PhaserNs from 'phaser';

export interface LabelStyle {
  font: string;
  stroke: string;
  strokeThickness: number;
}

/** Kept per texture manager, so a restarted scene finds the labels it drew before. */
const caches = new WeakMap<PhaserNs.Textures.TextureManager, LabelTextures>();

export class LabelTextures {
  private readonly keys = new Map<string, string>();
  private readonly scratch: CanvasRenderingContext2D;
  private made = 0;

  static of(textures: PhaserNs.Textures.TextureManager, style: LabelStyle): LabelTextures {
    let cache = caches.get(textures);
    if (!cache) caches.set(textures, (cache = new LabelTextures(textures, style)));
    return cache;
  }

  constructor(
    private readonly textures: PhaserNs.Textures.TextureManager,
    private readonly style: LabelStyle,
    /** How many textures to keep before those no message shows are dropped. */
    private readonly limit = 1024,
  ) {
    this.scratch = document.createElement('canvas').getContext('2d')!;
  }

  get size(): number {
    return this.keys.size;
  }

  /** The texture showing `text` in `colour`, drawn now if no label had it yet. */
  key(text: string, colour: string): string {
    const id = `${colour}\u0000${text}`;
    const known = this.keys.get(id);
    if (known !== undefined && this.textures.exists(known)) return known;
    const key = `label-${(this.made += 1)}`;
    this.draw(key, text, colour);
    this.keys.set(id, key);
    return key;
  }

  /** Drops the textures of labels not in `shown`, once there are more than the limit. */
  prune(shown: ReadonlySet<string>): void {
    if (this.keys.size <= this.limit) return;
    for (const [id, key] of this.keys) {
      if (shown.has(key)) continue;
      this.keys.delete(id);
      if (this.textures.exists(key)) this.textures.remove(key);
    }
  }

  /** Drawn as Phaser draws a stroked Text: stroke then fill, alphabetic baseline, round joins. */
  private draw(key: string, text: string, colour: string): void {
    const { font, stroke, strokeThickness } = this.style;
    const g = this.scratch;
    g.font = font;
    const metrics = g.measureText(text);
    const ascent = Math.ceil(metrics.fontBoundingBoxAscent);
    const descent = Math.ceil(metrics.fontBoundingBoxDescent);
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.ceil(metrics.width + strokeThickness));
    canvas.height = Math.max(1, ascent + descent + strokeThickness);
    const c = canvas.getContext('2d')!;
    c.font = font;
    c.textBaseline = 'alphabetic';
    c.lineCap = 'round';
    c.lineJoin = 'round';
    const x = strokeThickness / 2;
    const y = strokeThickness / 2 + ascent;
    if (strokeThickness > 0) {
      c.strokeStyle = stroke;
      c.lineWidth = strokeThickness;
      c.strokeText(text, x, y);
    }
    c.fillStyle = colour;
    c.fillText(text, x, y);
    const texture = this.textures.create(key, canvas as unknown as HTMLImageElement, canvas.width, canvas.height);
    texture?.add('__BASE', 0, 0, 0, canvas.width, canvas.height);
  }
}
