import { ApiError } from './api.js';
import { h, replace } from './dom.js';
import { statusClass, statusLabel } from './format.js';

/** What a page gives back: stop its timers when the admin leaves it. */
export type Cleanup = () => void;
export type Page = (main: HTMLElement) => Cleanup | void;

export const badge = (status: string) => h('span', { class: statusClass(status), text: statusLabel(status) });

/** The page's heading, focusable so the router can move focus to it (screen readers announce it). */
export const heading = (text: string) => h('h1', { attrs: { tabindex: -1 }, text });

/** A region whose changes are read out (role=status; alert for errors). */
export function messageArea(): { element: HTMLElement; info(text: string): void; error(text: string): void; clear(): void } {
  const element = h('div', { class: 'message', attrs: { role: 'status', 'aria-live': 'polite' } });
  return {
    element,
    info: (text) => {
      element.className = 'message info';
      replace(element, text);
    },
    error: (text) => {
      element.className = 'message error';
      replace(element, text);
    },
    clear: () => {
      element.className = 'message';
      replace(element);
    },
  };
}

/** What to tell the admin about a failed call, in French. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Le serveur ne répond pas : vérifiez la connexion puis réessayez.';
  if (error.status === 429) return `Trop de requêtes : réessayez dans ${error.retryAfter ?? 60} s.`;
  if (error.status === 401) return "Clé d'administration refusée.";
  if (error.code === 'TRANSACTION.NOT_IN_REVIEW') {
    const status = typeof error.context.currentStatus === 'string' ? error.context.currentStatus : '';
    return `Déjà tranchée : cette transaction n'est plus à vérifier (statut actuel : ${statusLabel(status)}). Un autre administrateur l'a sans doute tranchée.`;
  }
  if (error.status === 400 && Object.keys(error.fields).length > 0) return 'Certaines valeurs sont invalides : voir les champs signalés.';
  return error.message;
}

export const button = (text: string, onClick: () => void, kind = '') =>
  h('button', { class: kind, attrs: { type: 'button' }, text, on: { click: onClick } });

/** Runs `load` now and every `ms`, never two at once; returns the cleanup. */
export function every(ms: number, load: () => Promise<void>): Cleanup {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await load();
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), ms);
  return () => clearInterval(timer);
}

/** A definition list of label -> value pairs. */
export function details(pairs: Array<[string, Node | string]>): HTMLDListElement {
  return h('dl', { class: 'details' }, ...pairs.flatMap(([label, value]) => [h('dt', { text: label }), h('dd', {}, value)]));
}
