import * as Phaser from 'phaser';
import { DEFAULT_PROTOCOL, protocolFor } from '../../../shared/protocols';
import { OKABE_ITO, paletteEntries, ringPositions, messagePosition, HIDDEN_STYLE, UNKNOWN_STYLE, styleOf } from '../layout';
import type { SceneBridge } from './bridge';
import { makeShapeTexture, textureKey, textureScale } from './textures';

export function bridgeOf(scene: Phaser.Scene): SceneBridge {
  return scene.registry.get('bridge') as SceneBridge;
}

/** Registry key: device pixels per CSS pixel of the canvas. */
export const PIXEL_RATIO = 'pixelRatio';

export function pixelRatio(scene: Phaser.Scene): number {
  return (scene.registry.get(PIXEL_RATIO) as number | undefined) ?? 1;
}

/** The canvas's size in CSS pixels, the units every scene draws in. */
export function viewSize(scene: Phaser.Scene): { width: number; height: number } {
  const ratio = pixelRatio(scene);
  return { width: scene.scale.width / ratio, height: scene.scale.height / ratio };
}

/**
 * The canvas holds device pixels; the main camera zooms by the pixel ratio so that a scene draws in
 * CSS pixels, sharp. Done at create and after every resize (a resize resets the camera's size). The
 * camera zooms from its top-left corner and never scrolls, so a CSS pixel x is device pixel
 * x * ratio: a container scaled by 1 / ratio then draws in device pixels, which blitters need (they
 * draw every frame at its texture's size, and Phaser's canvas blitter would take away the scroll twice).
 */
export function fitCamera(scene: Phaser.Scene): void {
  const apply = () => {
    scene.cameras.main.setOrigin(0, 0).setZoom(pixelRatio(scene)).setScroll(0, 0);
  };
  apply();
  scene.scale.on(Phaser.Scale.Events.RESIZE, apply);
  scene.events.once(Phaser.Scenes.Events.SHUTDOWN, () => scene.scale.off(Phaser.Scale.Events.RESIZE, apply));
}

export class BootScene extends Phaser.Scene {
  constructor() {
    super('Boot');
  }

  create(): void {
    this.scene.start('Preloader');
  }
}

/** Makes the message textures a few per frame, with a progress bar, then hands over to the menu. */
export class PreloaderScene extends Phaser.Scene {
  private jobs: (() => void)[] = [];
  private total = 0;
  private bar!: Phaser.GameObjects.Graphics;

  constructor() {
    super('Preloader');
  }

  create(): void {
    fitCamera(this);
    const styles = [HIDDEN_STYLE, ...paletteEntries().map(([, s]) => s), UNKNOWN_STYLE];
    const seen = new Set<string>();
    // Sharp on the screen it starts on; a later change of pixel ratio only softens the dots a little.
    const scale = Math.ceil(pixelRatio(this));
    for (const style of styles) {
      const key = textureKey(style.shape, style.colour);
      if (seen.has(key)) continue;
      seen.add(key);
      this.jobs.push(() => makeShapeTexture(this, style.shape, style.colour, scale));
    }
    this.total = this.jobs.length;
    this.bar = this.add.graphics();
    const view = viewSize(this);
    this.add
      .text(view.width / 2, view.height / 2 - 28, 'Quorum', { fontFamily: 'system-ui, sans-serif', fontSize: '22px', color: '#e8ecf3', resolution: pixelRatio(this) })
      .setOrigin(0.5);
  }

  override update(): void {
    for (let i = 0; i < 4 && this.jobs.length > 0; i++) this.jobs.shift()!();
    const done = this.total === 0 ? 1 : 1 - this.jobs.length / this.total;
    const view = viewSize(this);
    const w = Math.min(320, view.width * 0.6);
    const x = (view.width - w) / 2;
    const y = view.height / 2;
    this.bar.clear();
    this.bar.fillStyle(0x2c3340, 1).fillRect(x, y, w, 10);
    this.bar.fillStyle(OKABE_ITO.skyBlue, 1).fillRect(x, y, w * done, 10);
    bridgeOf(this).progress(done);
    if (this.jobs.length === 0) {
      this.scene.start('Menu');
      bridgeOf(this).ready();
    }
  }
}

/** A calm backdrop behind the DOM menu: five nodes passing a few messages around. */
export class MenuScene extends Phaser.Scene {
  private links!: Phaser.GameObjects.Graphics;
  private dots: Phaser.GameObjects.Image[] = [];
  private started = 0;

  constructor() {
    super('Menu');
  }

  create(): void {
    fitCamera(this);
    this.links = this.add.graphics();
    // A few messages of the protocol a solo round starts with.
    const kinds = Object.keys(protocolFor(DEFAULT_PROTOCOL).present.messages).slice(0, 5);
    this.dots = kinds.map((k) => {
      const s = styleOf(k, DEFAULT_PROTOCOL);
      return this.add.image(0, 0, textureKey(s.shape, s.colour)).setAlpha(0.55).setScale(1 / textureScale(this));
    });
    this.started = performance.now();
  }

  override update(): void {
    const points = ringPositions(5, viewSize(this));
    this.links.clear();
    this.links.lineStyle(1, 0x3a4252, 0.5);
    for (let a = 0; a < 5; a++) for (let b = a + 1; b < 5; b++) this.links.lineBetween(points[a]!.x, points[a]!.y, points[b]!.x, points[b]!.y);
    this.links.fillStyle(0x2c3340, 0.8);
    for (const p of points) this.links.fillCircle(p.x, p.y, 18);
    const t = (performance.now() - this.started) / 1500;
    this.dots.forEach((dot, i) => {
      const hop = Math.floor(t + i * 0.4);
      const from = points[(hop + i) % 5]!;
      const to = points[(hop + i * 2 + 1) % 5]!;
      const p = messagePosition(from, to, hop, hop + 1, t + i * 0.4);
      dot.setPosition(p.x, p.y);
    });
  }
}
