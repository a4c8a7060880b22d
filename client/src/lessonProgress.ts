/** Which lessons this browser has finished, kept in localStorage: the Learn path's tick marks. */

const DONE_KEY = 'quorum.lessonsDone';

/** The ids of the lessons finished in this browser. */
export function lessonsDone(storage: Pick<Storage, 'getItem'> | null = safeStorage()): Set<string> {
  try {
    const raw = JSON.parse(storage?.getItem(DONE_KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Keeps a finished lesson in this browser's progress. */
export function markLessonDone(id: string, storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage()): void {
  const done = lessonsDone(storage);
  if (done.has(id)) return;
  done.add(id);
  try {
    storage?.setItem(DONE_KEY, JSON.stringify([...done]));
  } catch {
    // A browser that keeps nothing (private mode, full storage) still plays; only the tick mark is lost.
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
