/**
 * What a replay's timeline and space-time diagram show, derived by re-running a round once:
 * markers (faults, proposals, decisions, the commit point, violations) and the life of every
 * message (sent at which step and tick, then delivered, dropped, lost, or still in flight).
 */
import { protocolFor } from '../protocols';
import { nodeName } from './names';
import { step } from './step';
import type { Command, NodeId, RoundConfig } from './types';
import { createWorld } from './world';

export type MarkerKind = 'fault' | 'proposal' | 'decision' | 'commit-point' | 'violation' | 'rejection';

export interface TimelineMarker {
  /** The command index: the world after this command shows the marked moment. */
  step: number;
  tick: number;
  kind: MarkerKind;
  text: string;
  node?: NodeId;
}

export type MessageFate = 'delivered' | 'dropped' | 'lost' | 'in-flight';

export interface MessageTrace {
  id: number;
  from: NodeId;
  to: NodeId;
  kind: string;
  label: string;
  sentStep: number;
  sentTick: number;
  /** When the message stopped travelling (or the last step, while still in flight). */
  endStep: number;
  endTick: number;
  fate: MessageFate;
  /** For a copy made by the network, the message it duplicates. */
  duplicateOf: number | null;
}

export interface Timeline {
  /** ticks[i] is the clock after the first i commands. */
  ticks: number[];
  markers: TimelineMarker[];
  messages: MessageTrace[];
}

/** A refusal recorded by whoever ran the round (refused commands are not in the log). */
export interface RecordedRejection {
  /** How many commands had been applied when it was refused. */
  step: number;
  node: NodeId | null;
  code: string;
  message: string;
}

const FAULTS = new Set(['crash', 'recover', 'drop', 'delay', 'duplicate', 'partition', 'heal']);

/** Engine events that put a marker on the timeline, by the marker they put. */
const MARKED_EVENTS: Partial<Record<string, MarkerKind>> = {
  proposed: 'proposal',
  chosen: 'commit-point',
  learned: 'decision',
  stuck: 'decision',
  violation: 'violation',
};

export function buildTimeline(config: RoundConfig, log: readonly Command[], rejections: readonly RecordedRejection[] = []): Timeline {
  const protocol = protocolFor(config.protocol);
  let world = createWorld(config);
  const ticks = [0];
  const markers: TimelineMarker[] = [];
  const messages = new Map<number, MessageTrace>();
  log.forEach((command, index) => {
    const result = step(world, command);
    if (!result.ok) throw new Error(`command ${index} is refused: ${result.rejection.message}`);
    world = result.world;
    ticks.push(world.tick);
    const at = { step: index + 1, tick: world.tick };
    if (FAULTS.has(command.type)) {
      const text = result.events.find((e) => e.visibleTo === 'god' || e.type === 'crashed' || e.type === 'recovered')?.text ?? command.type;
      markers.push({ ...at, kind: 'fault', text, ...('node' in command ? { node: command.node } : {}) });
    }
    for (const event of result.events) {
      const m = event.message;
      switch (event.type) {
        case 'sent':
        case 'duplicated':
          if (m) {
            const original = event.type === 'duplicated' && typeof event.original === 'number' ? event.original : null;
            messages.set(m.id, {
              id: m.id,
              from: m.from,
              to: m.to,
              kind: m.payload.kind,
              label: protocol.label(m.payload),
              sentStep: index + 1,
              sentTick: world.tick,
              endStep: -1,
              endTick: -1,
              fate: 'in-flight',
              duplicateOf: original,
            });
          }
          break;
        case 'delivered':
        case 'dropped':
        case 'lost': {
          const trace = m ? messages.get(m.id) : undefined;
          if (trace) {
            trace.endStep = index + 1;
            trace.endTick = world.tick;
            trace.fate = event.type;
          }
          break;
        }
        default: {
          const kind = MARKED_EVENTS[event.type];
          if (kind) markers.push({ ...at, kind, text: event.text, ...(event.node !== undefined ? { node: event.node } : {}) });
        }
      }
    }
  });
  for (const r of rejections) {
    const stepIndex = Math.max(0, Math.min(log.length, r.step));
    const who = r.node === null ? '' : `${nodeName(r.node)}: `;
    markers.push({ step: stepIndex, tick: ticks[stepIndex]!, kind: 'rejection', text: `${who}${r.message}`, ...(r.node !== null ? { node: r.node } : {}) });
  }
  markers.sort((a, b) => a.step - b.step);
  const last = { step: log.length, tick: world.tick };
  const traces = [...messages.values()].map((t) => (t.fate === 'in-flight' ? { ...t, endStep: last.step, endTick: last.tick } : t));
  return { ticks, markers, messages: traces };
}

/** The steps to jump to for "jump to the commit point": the world right after each deciding vote, one per slot decided. */
export function commitPointSteps(timeline: Timeline): number[] {
  return timeline.markers.filter((m) => m.kind === 'commit-point').map((m) => m.step);
}

/** The first of them: the world right after the first deciding vote. */
export function commitPointStep(timeline: Timeline): number | null {
  return commitPointSteps(timeline)[0] ?? null;
}
