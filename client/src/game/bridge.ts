import type { TickClock } from '../layout';
import type { Picture } from '../picture';

/** What scenes read from the app and tell it; set in the game registry as 'bridge'. */
export interface SceneBridge {
  /** The latest picture and a number that changes whenever it does. */
  picture(): { picture: Picture | null; version: number };
  /** Messages the server said were dropped or lost, and copies made by duplication (copy -> original). */
  effects(): { dropped: ReadonlySet<number>; duplicates: ReadonlyMap<number, number> };
  clock: TickClock;
  nodeClicked(id: number, additive: boolean): void;
  messageClicked(id: number): void;
  /** Preloader progress, 0..1, mirrored in the DOM. */
  progress(fraction: number): void;
  /** The scenes are ready: the app may show a round. */
  ready(): void;
}
