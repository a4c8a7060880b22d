/**
 * The limits of a round, each written once: the engine, the wire schemas, the server and the
 * client's forms all read them here.
 */

/**
 * Nodes in a round: the fewest any protocol may ask for (one machine alone), and the most. A protocol
 * declares its own range within these (`Protocol.nodeRange`); a cluster protocol's is the default.
 */
export const MIN_NODES = 1;
export const MAX_NODES = 9;
/** The fewest nodes of a protocol that replicates across a cluster: a majority of three survives one crash. */
export const CLUSTER_MIN_NODES = 3;

/** A decree is a short text, and a round has a few of them in play. */
export const MAX_DECREE_LENGTH = 24;
export const MAX_DECREES = 9;

/** Latency of one hop, in ticks: what a round's config may hold (a stored round, a fork)... */
export const MAX_LATENCY_TICKS = 1000;
/** ...and what an instructor may set up for a live round. */
export const MAX_SETUP_LATENCY_TICKS = 100;

/** A round's timeout, in ticks. */
export const MAX_TIMEOUT_TICKS = 100_000;

/** How long an idle student may think before a bot plays their seat, in ticks (0: never). */
export const MAX_DECISION_DEADLINE_TICKS = 10_000;

/** The longest an instructor may hold one message back, in ticks. */
export const MAX_DELAY_TICKS = 1000;

/** A round's seed is an unsigned 32-bit number. */
export const MAX_SEED = 0xffffffff;

/** Message ids and a player's action numbers fit in 31 bits. */
export const MAX_MESSAGE_ID = 2 ** 31;
