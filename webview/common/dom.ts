// Small DOM helpers shared by the view's parts.

/** The element with this data-testid; the skeleton guarantees it exists. */
export function $(testid: string, root: ParentNode = document): HTMLElement {
  const e = root.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
  if (!e) throw new Error(`missing element ${testid}`);
  return e;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}
