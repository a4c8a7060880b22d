/** A tiny element builder and the toast; panels are plain DOM so screen readers and keyboards work. */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, '').toLowerCase(), value as EventListener);
    else if (key === 'text') el.textContent = String(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

/** A message that stays a few seconds; rejections use it, and the same text goes to the log. */
export function toast(text: string, kind: 'error' | 'info' = 'error', ms = 6000): void {
  const box = byId('toasts');
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  box.append(el);
  while (box.children.length > 3) box.firstElementChild?.remove();
  setTimeout(() => el.remove(), ms);
}

/** Replaces an element's children, keeping focus on the element with the same data-key if it had it. */
export function replaceChildren(parent: HTMLElement, ...children: (Child | Child[])[]): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && parent.contains(active) ? active.dataset.key : undefined;
  parent.replaceChildren(...(children.flat().filter((c) => c !== null && c !== undefined && c !== false) as (Node | string)[]));
  if (key) (parent.querySelector(`[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
}

/**
 * Makes `parent`'s children match `children`, keeping the elements and text already there (found in
 * order, by tag and id): text that did not change is not laid out again. For content without event
 * listeners (those of the new elements are not carried over).
 */
export function patchChildren(parent: Node, children: readonly Node[]): void {
  for (let i = 0; i < children.length; i++) {
    const next = children[i]!;
    const here = parent.childNodes[i] ?? null;
    let match: ChildNode | null = null;
    for (let c = here; c; c = c.nextSibling) {
      if (alike(c, next)) {
        match = c;
        break;
      }
    }
    if (!match) {
      parent.insertBefore(next, here);
      continue;
    }
    if (match !== here) parent.insertBefore(match, here);
    if (match.nodeType !== Node.ELEMENT_NODE) {
      if (match.nodeValue !== next.nodeValue) match.nodeValue = next.nodeValue;
      continue;
    }
    const from = next as Element;
    const to = match as Element;
    for (const name of to.getAttributeNames()) if (!from.hasAttribute(name)) to.removeAttribute(name);
    for (const name of from.getAttributeNames()) if (to.getAttribute(name) !== from.getAttribute(name)) to.setAttribute(name, from.getAttribute(name)!);
    patchChildren(to, Array.from(from.childNodes));
  }
  while (parent.childNodes.length > children.length) parent.removeChild(parent.lastChild!);
}

function alike(a: Node, b: Node): boolean {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
  return a.nodeType !== Node.ELEMENT_NODE || (a as Element).id === (b as Element).id;
}
