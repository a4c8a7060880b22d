/**
 * The Phaser side of the client: Boot -> Preloader -> Menu -> Round. Scenes draw the Picture the
 * app hands them and report clicks; they decide nothing. This module is loaded lazily, after the DOM
 * menu, so that Phaser stays out of the initial download.
 */
import * as Phaser from 'phaser';
import type { RendererChoice } from '../renderer';
import type { SceneBridge } from './bridge';
import { BootScene, PreloaderScene, MenuScene } from './scenes';
import { RoundScene } from './round';

export const BACKGROUND = 0x1b1f27;

export function createGame(parent: HTMLElement, renderer: RendererChoice, bridge: SceneBridge): Phaser.Game {
  const game = new Phaser.Game({
    type: renderer === 'canvas' ? Phaser.CANVAS : Phaser.WEBGL,
    parent,
    backgroundColor: BACKGROUND,
    banner: false,
    audio: { noAudio: true },
    scale: { mode: Phaser.Scale.RESIZE, width: parent.clientWidth || 800, height: parent.clientHeight || 600 },
    render: { antialias: true, powerPreference: 'high-performance' },
    input: { keyboard: false },
    scene: [BootScene, PreloaderScene, MenuScene, RoundScene],
    callbacks: {
      preBoot: (g) => g.registry.set('bridge', bridge),
    },
  });
  return game;
}

export { Phaser };
