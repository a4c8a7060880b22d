import type * as PhaserNs from 'phaser';
import { shapePoints, type Shape } from '../layout';

export const DOT_RADIUS = 9;

export function textureKey(shape: Shape, colour: number): string {
  return `msg-${shape}-${colour.toString(16)}`;
}

/** Draws one message shape in one colour into a texture, with a dark outline so it reads on any link. */
export function makeShapeTexture(scene: PhaserNs.Scene, shape: Shape, colour: number): string {
  const key = textureKey(shape, colour);
  if (scene.textures.exists(key)) return key;
  const size = DOT_RADIUS * 2 + 4;
  const g = scene.make.graphics({ x: 0, y: 0 }, false);
  const points = shapePoints(shape, DOT_RADIUS).map((p) => ({ x: p.x + size / 2, y: p.y + size / 2 }));
  g.fillStyle(colour, 1);
  g.lineStyle(2, 0x0b0d12, 1);
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
