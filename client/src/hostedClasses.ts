/**
 * Classes this browser hosts and their instructor keys. The tab keeps its own in sessionStorage (so a
 * reload lets the instructor back in); the browser keeps a list in localStorage (so the replays screen
 * can list the classes' rounds later).
 */
export interface HostedClass {
  code: string;
  instructorKey: string;
}

const TAB_PREFIX = 'quorum:class:';
/** The class this tab is in as its instructor, so that a reload goes back to it. */
const TAB_CURRENT = 'quorum:current-class';
const BROWSER_KEY = 'quorum.hostedClasses';
const BROWSER_LIMIT = 20;

function store(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? localStorage : sessionStorage;
  } catch {
    return null;
  }
}

/** Classes this tab hosted, oldest first. */
export function classesHostedInThisTab(): HostedClass[] {
  const tab = store('session');
  const found: HostedClass[] = [];
  for (let i = 0; tab && i < tab.length; i++) {
    const key = tab.key(i) ?? '';
    const instructorKey = key.startsWith(TAB_PREFIX) ? tab.getItem(key) : null;
    if (instructorKey) found.push({ code: key.slice(TAB_PREFIX.length), instructorKey });
  }
  return found;
}

function classesHostedInThisBrowser(): HostedClass[] {
  try {
    const raw = JSON.parse(store('local')?.getItem(BROWSER_KEY) ?? '[]') as unknown;
    if (!Array.isArray(raw)) return [];
    return (raw as Partial<HostedClass>[]).filter(
      (c): c is HostedClass => typeof c?.code === 'string' && typeof c.instructorKey === 'string',
    );
  } catch {
    return []; // A corrupt entry only costs the listing.
  }
}

/** Every class hosted from this browser, newest first, each once. */
export function hostedClasses(): HostedClass[] {
  const found = new Map<string, string>();
  for (const c of [...classesHostedInThisBrowser(), ...classesHostedInThisTab().reverse()]) {
    if (!found.has(c.code)) found.set(c.code, c.instructorKey);
  }
  return [...found].map(([code, instructorKey]) => ({ code, instructorKey }));
}

export function rememberHostedClass(code: string, instructorKey: string): void {
  try {
    store('session')?.setItem(`${TAB_PREFIX}${code}`, instructorKey);
    const list = [{ code, instructorKey }, ...classesHostedInThisBrowser().filter((c) => c.code !== code)];
    store('local')?.setItem(BROWSER_KEY, JSON.stringify(list.slice(0, BROWSER_LIMIT)));
  } catch {
    // A full storage only costs the listing and the rejoin button; the class itself is unaffected.
  }
}

/** Notes that this tab is now in `code` as its instructor (its key is already remembered). */
export function setCurrentClass(code: string): void {
  try {
    store('session')?.setItem(TAB_CURRENT, code);
  } catch {
    // Without storage a reload shows the menu, with its "Back to class" button.
  }
}

export function forgetCurrentClass(): void {
  try {
    store('session')?.removeItem(TAB_CURRENT);
  } catch {
    // Nothing kept, nothing to forget.
  }
}

/** The class this tab was in as its instructor, with its key, if it was in one. */
export function currentHostedClass(): HostedClass | null {
  const tab = store('session');
  const code = tab?.getItem(TAB_CURRENT) ?? null;
  if (!code) return null;
  const instructorKey = tab?.getItem(`${TAB_PREFIX}${code}`) ?? null;
  return instructorKey ? { code, instructorKey } : null;
}
