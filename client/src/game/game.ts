/**
 * The Phaser side of the client: Boot -> Preloader -> Menu -> Round. Scenes draw the Picture the
 * app hands them and report clicks; they decide nothing. This module is loaded lazily, after the DOM
 * menu, so that Phaser stays out of the initial download.
 */
import * as Phaser from 'phaser';
import type { RendererChoice } from '../renderer';
import type { SceneBridge } from './bridge';
import { BootScene, PreloaderScene, MenuScene, PIXEL_RATIO } from './scenes';
import { RoundScene } from './round';

export const BACKGROUND = 0x1b1f27;

/** The screen's device pixels per CSS pixel, capped at 3 (more only costs fill rate). */
export function devicePixels(): number {
  const ratio = typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;
  return Math.min(3, ratio);
}

/**
 * The canvas has a device pixel for every pixel of the screen (crisp on a phone), and the scenes
 * draw in CSS pixels: the game is `width x height` CSS pixels times the pixel ratio, shown at
 * 1 / ratio, and each scene's camera zooms by the ratio (see `fitCamera`).
 */
export function createGame(parent: HTMLElement, renderer: RendererChoice, bridge: SceneBridge): Phaser.Game {
  const ratio = devicePixels();
  const width = parent.clientWidth || 800;
  const height = parent.clientHeight || 600;
  const game = new Phaser.Game({
    type: renderer === 'canvas' ? Phaser.CANVAS : Phaser.WEBGL,
    parent,
    backgroundColor: BACKGROUND,
    banner: false,
    audio: { noAudio: true },
    scale: { mode: Phaser.Scale.NONE, width: Math.round(width * ratio), height: Math.round(height * ratio), zoom: 1 / ratio },
    render: { antialias: true, powerPreference: 'high-performance' },
    input: { keyboard: false },
    scene: [BootScene, PreloaderScene, MenuScene, RoundScene],
    callbacks: {
      preBoot: (g) => {
        g.registry.set('bridge', bridge);
        g.registry.set(PIXEL_RATIO, ratio);
      },
    },
  });
  return game;
}

/**
 * The stage changed size (or the screen its pixel ratio): the canvas follows, still at device pixels.
 * With `magnify` above 1 the scenes draw that much larger: they are told of a canvas that many times
 * smaller in CSS pixels, each of which covers more device pixels (the projector's big type).
 */
export function resizeGame(game: Phaser.Game, width: number, height: number, magnify = 1): void {
  const ratio = devicePixels();
  if (game.scale.zoom !== 1 / ratio) game.scale.setZoom(1 / ratio);
  if (game.registry.get(PIXEL_RATIO) !== ratio * magnify) game.registry.set(PIXEL_RATIO, ratio * magnify);
  game.scale.resize(Math.round(width * ratio), Math.round(height * ratio));
}

export { Phaser };
