/**
 * The one place that reaches into Colyseus's internals. Colyseus decodes a room's frames in its
 * private `Room._onMessage` and disconnects a client whose frame does not decode; Quorum answers a
 * bad frame with `rejected` instead, so every frame comes here first. A plain message is decoded
 * here (a type, then msgpack); the transport's own frames (the join handshake, pings, a leave) go on
 * to Colyseus; everything else is refused.
 */
import { ClientState, Protocol, Room, type Client } from '@colyseus/core';
import { decode, type Iterator } from '@colyseus/schema';
import { unpack } from 'msgpackr';
import { MAX_CLIENT_MESSAGE_BYTES } from '../shared/wire/messages';
import type { Incoming } from './core/room';

type OnMessage = (client: Client, buffer: Buffer) => void;

/**
 * Sends every frame of `room` through `onFrame` first. `onFrame` returns whether the connection goes
 * on; only then does a transport frame reach Colyseus.
 */
export function installGate(room: Room, onFrame: (client: Client, frame: Incoming) => boolean, report: (error: unknown) => void): void {
  const original = (Room.prototype as unknown as { _onMessage: OnMessage })._onMessage;
  (room as unknown as { _onMessage: OnMessage })._onMessage = (client, buffer) => {
    try {
      if (client.state === ClientState.LEAVING || !buffer) return;
      const frame = readFrame(buffer);
      if (onFrame(client, frame) && frame.kind === 'transport') original.call(room, client, buffer);
    } catch (error) {
      report(error);
    }
  };
}

/** What a frame is: a message, the transport's own, or something this room does not take (and why). */
export function readFrame(buffer: Buffer): Incoming {
  if (buffer.byteLength > MAX_CLIENT_MESSAGE_BYTES) {
    return { kind: 'unreadable', code: 'too-large', message: `A message may be at most ${MAX_CLIENT_MESSAGE_BYTES} bytes (this one was ${buffer.byteLength}).` };
  }
  switch (buffer[0]! & 0x1f) {
    case Protocol.ROOM_DATA:
      try {
        const it: Iterator = { offset: 1 };
        const type = decode.stringCheck(buffer, it) ? decode.string(buffer, it) : String(decode.number(buffer, it));
        if (it.offset > buffer.byteLength || type.length === 0) throw new Error('truncated');
        const payload = buffer.byteLength > it.offset ? unpack(buffer.subarray(it.offset)) : undefined;
        return { kind: 'message', type, payload };
      } catch {
        return { kind: 'unreadable', code: 'malformed', message: 'That message could not be decoded.' };
      }
    case Protocol.JOIN_ROOM:
    case Protocol.PING:
    case Protocol.LEAVE_ROOM:
      return { kind: 'transport' };
    case Protocol.ROOM_REQUEST:
    case Protocol.ROOM_DATA_BYTES:
    case Protocol.ROOM_INPUT_RELIABLE:
    case Protocol.ROOM_INPUT_UNRELIABLE:
      return { kind: 'unreadable', code: 'unsupported', message: 'This room takes plain messages only (room.send).' };
    default:
      return { kind: 'unreadable', code: 'malformed', message: 'That frame is not a Colyseus message.' };
  }
}
