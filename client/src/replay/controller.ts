/**
 * The replay's state machine, free of any drawing: which command of the round is shown, through whose
 * eyes, and how playback advances. It re-runs the engine on the stored log (no video).
 */
import { Replay } from '../../../shared/engine/replay';
import { buildTimeline, commitPointSteps, type MessageTrace, type RecordedRejection, type Timeline, type TimelineMarker } from '../../../shared/engine/timeline';
import type { CommitPoint, NodeId, World } from '../../../shared/engine/types';
import { eventsFor, godView, viewOf, type GodView, type NodeView } from '../../../shared/engine/view';
import { messageEffects, type MessageEffects } from '../picture';
import { tracesSeenBy } from './diagram';
import type { RoundDocument } from '../../../shared/engine/round';

export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;
/** Commands shown per second of playback at 1x. */
export const COMMANDS_PER_SECOND = 4;

export type PointOfView = 'god' | NodeId;

/** The most commands whose effects on messages are worked out between two frames (16x playback makes about two). */
export const MAX_EFFECT_STEPS = 32;

export class ReplayController {
  readonly replay: Replay;
  readonly timeline: Timeline;
  private position = 0;
  private pov: PointOfView = 'god';
  private playing = false;
  private speedValue = 1;
  /** Fractional commands accumulated between frames while playing. */
  private carry = 0;
  private readonly markersByNode = new Map<NodeId, TimelineMarker[]>();

  constructor(
    readonly round: RoundDocument,
    rejections: readonly RecordedRejection[] = [],
  ) {
    this.replay = new Replay(round.config, round.log);
    this.timeline = buildTimeline(round.config, round.log, rejections);
  }

  get length(): number {
    return this.replay.length;
  }

  get step(): number {
    return this.position;
  }

  get pointOfView(): PointOfView {
    return this.pov;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  get speed(): number {
    return this.speedValue;
  }

  world(): World {
    return this.replay.worldAt(this.position);
  }

  /** What the chosen point of view could know at the current step. */
  view(): GodView | NodeView {
    const world = this.world();
    return this.pov === 'god' ? godView(world) : viewOf(world, this.pov);
  }

  /**
   * The commit points that have happened by now, one per slot decided (a single decree has one), for
   * the god view only: no node saw one as it happened.
   */
  commitPoints(): readonly CommitPoint[] {
    return this.pov === 'god' ? this.world().global.chosen : [];
  }

  /** The messages of the space-time diagram: all of them, or those the chosen node sent or was sent. */
  messages(): readonly MessageTrace[] {
    return tracesSeenBy(this.timeline.messages, this.pov);
  }

  /**
   * The timeline's markers the point of view could know of: all of them for the god view; for a
   * node, those whose event the engine let that node see (its own proposal, decision, crash) and its
   * own refused moves. The commit point, violations and the network's faults are the god's alone.
   */
  markers(): readonly TimelineMarker[] {
    const pov = this.pov;
    if (pov === 'god') return this.timeline.markers;
    let known = this.markersByNode.get(pov);
    if (!known) {
      known = this.timeline.markers.filter((m) => {
        if (m.kind === 'rejection') return m.node === pov;
        if (m.step === 0) return false;
        return eventsFor(this.replay.eventsOf(m.step - 1), pov).some((e) => e.text === m.text);
      });
      this.markersByNode.set(pov, known);
    }
    return known;
  }

  /**
   * What the commands after step `from` up to the current step did to messages (dropped or lost
   * them, copied them): what the canvas shows happening on the way from one to the other. Nothing
   * for a step back, or for a jump of more than `MAX_EFFECT_STEPS`, which the canvas shows as a seek.
   */
  effectsSince(from: number): MessageEffects {
    const effects: MessageEffects = { dropped: new Set(), duplicates: new Map() };
    if (from < 0 || this.position <= from || this.position - from > MAX_EFFECT_STEPS) return effects;
    for (let index = from; index < this.position; index++) messageEffects(this.replay.eventsOf(index), effects);
    return effects;
  }

  seek(step: number): void {
    this.position = Math.max(0, Math.min(this.length, Math.round(step)));
    this.carry = 0;
    if (this.position >= this.length) this.playing = false;
  }

  stepForward(): void {
    this.seek(this.position + 1);
  }

  stepBack(): void {
    this.seek(this.position - 1);
  }

  setPointOfView(pov: PointOfView): void {
    if (pov !== 'god' && (!Number.isInteger(pov) || pov < 0 || pov >= this.round.config.nodes)) throw new Error(`no node ${pov}`);
    this.pov = pov;
  }

  setSpeed(speed: number): void {
    if (!(REPLAY_SPEEDS as readonly number[]).includes(speed)) throw new Error(`speed must be one of ${REPLAY_SPEEDS.join(', ')}`);
    this.speedValue = speed;
  }

  play(): void {
    if (this.position >= this.length) this.seek(0);
    this.playing = true;
  }

  pause(): void {
    this.playing = false;
    this.carry = 0;
  }

  /** Advances playback by `elapsedMs` of wall time; returns whether the step changed. */
  advance(elapsedMs: number): boolean {
    if (!this.playing) return false;
    this.carry += (elapsedMs / 1000) * COMMANDS_PER_SECOND * this.speedValue;
    const whole = Math.floor(this.carry);
    if (whole === 0) return false;
    this.carry -= whole;
    const before = this.position;
    this.seek(this.position + whole);
    if (this.position >= this.length) this.playing = false;
    return this.position !== before;
  }

  /**
   * Jumps to the world right after a deciding vote: the next commit point after the step shown, or
   * the first again after the last (a round that decided one slot always goes to its one). Returns
   * false when nothing was chosen.
   */
  jumpToCommitPoint(): boolean {
    const steps = commitPointSteps(this.timeline);
    if (steps.length === 0) return false;
    this.pause();
    this.seek(steps.find((s) => s > this.position) ?? steps[0]!);
    return true;
  }
}
