/**
 * `?bench=1`: the round scene fed a synthetic god view (9 nodes, 300 labelled messages in flight,
 * arriving and being replaced as the ticks pass), with frame intervals measured by
 * requestAnimationFrame and performance.now() for `npm run bench -- client`. Between measured slices
 * the game loop sleeps, so that the baseline page measured in the other slices has the machine alone.
 */
import { BenchFeed, FrameRecorder, benchParams, heapBytes, timeFrames, type BenchPage } from './benchFeed';
import { pictureOf, type Picture } from './picture';
import { pickRenderer, StartGame } from './start';
import { byId } from './ui/dom';

export async function startBench(): Promise<void> {
  const { nodes, messages } = benchParams(location.search);
  document.body.className = 'screen-round bench';
  byId('menu').hidden = true;
  byId('side').hidden = true;
  byId('status').textContent = `Benchmark: ${nodes} nodes, ${messages} messages in flight`;
  // The app makes a picture from each view it receives; so does this page.
  let picture: Picture | null = null;
  const feed: BenchFeed = new BenchFeed(nodes, messages, () => (picture = pictureOf({ view: feed.view })));
  picture = pictureOf({ view: feed.view });
  feed.resume();

  const renderer = pickRenderer();
  let readyAt = 0;
  const { game } = await StartGame(
    byId('stage'),
    {
      picture: () => ({ picture: readyAt > 0 ? picture : null, version: feed.version }),
      effects: () => ({ dropped: new Set(), duplicates: new Map() }),
      clock: feed.clock,
      nodeClicked: () => undefined,
      messageClicked: () => undefined,
      progress: () => undefined,
      ready: () => undefined,
    },
    renderer,
  );
  // Preloader hands over to Menu when its textures are made; switch to the round right after.
  await new Promise<void>((done) => {
    const poll = setInterval(() => {
      if (!game.scene.isActive('Menu')) return;
      clearInterval(poll);
      game.scene.stop('Menu');
      game.scene.start('Round');
      readyAt = performance.now();
      done();
    }, 50);
  });

  const recorder = new FrameRecorder();
  const page: BenchPage & { game: typeof game } = {
    kind: 'client',
    renderer,
    game,
    ready: () => readyAt > 0,
    start: () => {
      feed.resume();
      game.loop.wake();
      recorder.start();
    },
    stop: () => {
      const intervals = recorder.stop();
      game.loop.sleep();
      feed.pause();
      return { intervals, heapBytes: heapBytes(), messages: picture?.messages.length ?? 0 };
    },
    size: () => ({ width: game.canvas.clientWidth, height: game.canvas.clientHeight }),
    drawFrames: (count) => timeFrames(count, feed, () => game.loop.tick(), game.canvas),
    still: (tick) => {
      recorder.stop();
      game.loop.sleep();
      feed.pause();
      feed.jump(tick, false);
      game.loop.tick();
      const round = game.scene.getScene('Round') as unknown as { drawnLayout(): { messageLabels: unknown[] } };
      return { messages: picture?.messages.length ?? 0, labels: round.drawnLayout().messageLabels.length };
    },
  };
  (window as unknown as { quorumBench: unknown }).quorumBench = page;
}
