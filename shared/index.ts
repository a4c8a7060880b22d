/** The engine's public surface: the server, the client, bots and tools import from here. */
export * from './engine/types';
export * from './engine/limits';
export { step, checkCommand, localOf } from './engine/step';
export { createWorld, makeConfig, configProblem, configShapeProblem, timeoutForLatency, DEFAULT_SETTINGS } from './engine/world';
export { viewOf, sentViewOf, legalInView, godView, eventsFor, legalActions, roundStatus, roundOver, ruleBreakingActions, ruleBreakingInView } from './engine/view';
export type { NodeView, SentNodeView, GodView, GodNodeView, InFlightView, PeerView, RuleBreakingMove } from './engine/view';
export { defineProtocol } from './engine/protocol';
export type { Local, Protocol, ProtocolSpec, RoundStatus, Presentation, MessageLook, NodeFacts, GroupFacts } from './engine/protocol';
export { Rng, seedRng, type RngState } from './engine/rng';
export { nodeName, nodeIdFromName, majorityOf, listNames, tallyWords, countWords } from './engine/names';
export { commitPointSentence, outcomeSentence, noCommitPointSentence, detailSentences, decisionTick, violationSentence } from './engine/reveal';
export { digestOf } from './engine/digest';
export { replay, rerun, Replay, ReplayError } from './engine/replay';
export {
  parseRound,
  roundDocument,
  serializeRound,
  ROUND_FORMAT,
  ROUND_VERSION,
  MAX_ROUND_COMMANDS,
  MAX_ROUND_REJECTIONS,
  MAX_ROUND_DOCUMENT_BYTES,
  MAX_ROUND_HOLDERS,
  parseSeating,
  type RoundDocument,
  type RoundMeta,
  type ParsedRound,
  type ParsedRoundAt,
} from './engine/round';
export { protocolFor, allProtocols, protocolNames, isProtocolName, registerProtocol, DEFAULT_PROTOCOL } from './protocols';
export { checkInvariants, type InvariantBreak } from './invariants';
export { botDecide, BOT_KINDS, type BotKind } from './bots';
export { runSeed, reproduceCommand, mustDecide, type SwarmOptions, type SeedResult } from './sim/swarm';
export { commandSchema, configSchema, settingsSchema, parseCommand, actionShape } from './wire/commands';
export * as schema from './wire/schema';
export * as messages from './wire/messages';
export {
  buildTimeline,
  commitPointStep,
  type Timeline,
  type TimelineMarker,
  type MessageTrace,
  type MessageFate,
  type MarkerKind,
  type RecordedRejection,
} from './engine/timeline';
export { parseScriptLine, ScriptError, type ScriptLine } from './engine/script';
export * from './results';
