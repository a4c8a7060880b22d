/**
 * Starting the game canvas: which renderer this browser gets, and Phaser (most of the download)
 * loaded on demand. The app (`main.ts`) and the frame-time benchmark (`bench.ts`) both start it here.
 */
import type * as PhaserNs from 'phaser';
import { chooseRenderer, probeWebgl, type RendererChoice } from './renderer';
import type { SceneBridge } from './game/bridge';

export interface GameHandle {
  game: PhaserNs.Game;
  renderer: RendererChoice;
  /**
   * Fits the canvas to its parent's new size in CSS pixels (drawn at the device's pixel ratio), with
   * everything on it drawn `magnify` times larger (the projector's big nodes and type).
   */
  resize(width: number, height: number, magnify?: number): void;
}

/** Which renderer this browser gets: `?renderer=canvas|webgl` forces one, software WebGL falls back to Canvas. */
export function pickRenderer(search: string = location.search): RendererChoice {
  const requested = new URLSearchParams(search).get('renderer');
  const probe = requested === 'canvas' ? { available: false, renderer: null } : probeWebgl();
  return chooseRenderer(requested, probe.renderer, probe.available);
}

/** Creates the Phaser game inside `parent`, loading Phaser on demand. */
export async function StartGame(parent: HTMLElement, bridge: SceneBridge, renderer: RendererChoice = pickRenderer()): Promise<GameHandle> {
  const { createGame, resizeGame } = await import('./game/game');
  const game = createGame(parent, renderer, bridge);
  return { game, renderer, resize: (width, height, magnify = 1) => resizeGame(game, width, height, magnify) };
}
