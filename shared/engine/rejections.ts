import type { Rejection } from './types';

/** A refusal of something impossible or malformed (sandbox mode cannot override it). */
export function rejection(code: string, message: string): Rejection {
  return { code, message, rule: false };
}

/** A refusal because a protocol rule forbids the move (sandbox mode accepts it as a violation). */
export function ruleBroken(code: string, message: string): Rejection {
  return { code, message, rule: true };
}
