import type * as PhaserNs from 'phaser';
import { shapePoints, type Shape } from '../layout';

export const DOT_RADIUS = 9;

export function textureKey(shape: Shape, colour: number): string {
  return `msg-${shape}-${colour.toString(16)}`;
}

/** Registry key: how many texture pixels the message textures have per CSS pixel. */
const TEXTURE_SCALE = 'textureScale';

/** Message textures are drawn at the canvas's pixel ratio; images show them at 1 / this scale. */
export function textureScale(scene: PhaserNs.Scene): number {
  return (scene.registry.get(TEXTURE_SCALE) as number | undefined) ?? 1;
}

/**
 * Draws one message shape in one colour into a texture, with a dark outline so it reads on any link.
 * The texture has `scale` pixels per CSS pixel, so that it stays sharp on a high-density screen.
 */
export function makeShapeTexture(scene: PhaserNs.Scene, shape: Shape, colour: number, scale = 1): string {
  const key = textureKey(shape, colour);
  if (scene.textures.exists(key)) return key;
  scene.registry.set(TEXTURE_SCALE, scale);
  const size = Math.ceil((DOT_RADIUS * 2 + 4) * scale);
  const g = scene.make.graphics({ x: 0, y: 0 }, false);
  const points = shapePoints(shape, DOT_RADIUS * scale).map((p) => ({ x: p.x + size / 2, y: p.y + size / 2 }));
  g.fillStyle(colour, 1);
  g.lineStyle(2 * scale, 0x0b0d12, 1);
  g.beginPath();
  g.moveTo(points[0]!.x, points[0]!.y);
  for (const p of points.slice(1)) g.lineTo(p.x, p.y);
  g.closePath();
  g.fillPath();
  g.strokePath();
  g.generateTexture(key, size, size);
  g.destroy();
  return key;
}
