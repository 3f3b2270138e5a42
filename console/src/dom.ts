/**
 * Builds elements with the DOM API only: text is always a text node, never parsed as HTML, so a
 * customer name such as `<img src=x onerror=alert(1)>` shows as those characters.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  text?: string;
  /** Attributes (aria-*, role, type, name, for...), set with setAttribute. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.id) element.id = props.id;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [event, handler] of Object.entries(props.on ?? {})) element.addEventListener(event, handler as EventListener);
  if (props.text !== undefined) element.textContent = props.text;
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  append(element, ...children);
  return element;
}

let ids = 0;
/** A unique id for label/aria wiring. */
export const uid = (prefix: string) => `${prefix}-${++ids}`;

/** A labelled field: the label's `for` points at the control. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid('champ');
  const wrapper = h('div', { class: 'field' }, h('label', { attrs: { for: control.id }, text: label }), control);
  if (hint) {
    const hintId = uid('aide');
    control.setAttribute('aria-describedby', hintId);
    wrapper.appendChild(h('p', { class: 'hint', id: hintId, text: hint }));
  }
  return wrapper;
}

/** A table with a caption and header cells scoped to their columns. */
export function table(caption: string, headers: string[], rows: Child[][], captionHidden = false): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', { class: captionHidden ? 'visually-hidden' : '', text: caption }),
    h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { attrs: { scope: 'col' }, text })))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}
