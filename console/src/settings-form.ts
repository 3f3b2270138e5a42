import { api, ApiError } from './api.js';
import { field, h, replace } from './dom.js';
import type { BoxConfig } from './types.js';
import { describeError, messageArea } from './ui.js';

const SETTINGS: Array<[keyof BoxConfig, string, string]> = [
  ['batchSize', 'Taille de lot (batchSize)', '1 à 100 transactions par poll'],
  ['pollIntervalMs', 'Intervalle de poll (ms)', '500 à 300 000'],
  ['timeoutMs', 'Délai de traitement (ms)', '1 000 à 3 600 000'],
  ['maxRetries', 'Relances au plus (maxRetries)', '0 à 10'],
];

/** The four settings of one box (callboxId) or of the fleet, with the API's validation errors beside each field. */
export async function settingsForm(callboxId: string | null, onSaved?: () => void): Promise<HTMLElement> {
  const path = `/api/call-box/config${callboxId ? `?callboxId=${encodeURIComponent(callboxId)}` : ''}`;
  const { config } = await api<{ config: BoxConfig }>('GET', path);
  const message = messageArea();
  const inputs = new Map<keyof BoxConfig, HTMLInputElement>();
  const errors = new Map<keyof BoxConfig, HTMLElement>();
  const fields = SETTINGS.map(([name, label, hint]) => {
    const input = h('input', { attrs: { type: 'number', name, value: config[name], inputmode: 'numeric', step: 1 } });
    inputs.set(name, input);
    const wrapper = field(label, input, hint);
    const error = h('p', { class: 'field-error', id: `${input.id}-erreur` });
    errors.set(name, error);
    wrapper.append(error);
    return wrapper;
  });
  const form = h('form', { class: 'settings', attrs: { novalidate: true } }, ...fields, message.element, h('button', { attrs: { type: 'submit' }, text: 'Enregistrer' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });

  async function save(): Promise<void> {
    const changes: Record<string, unknown> = callboxId ? { callboxId } : {};
    for (const [name, input] of inputs) {
      const value = input.value.trim();
      // Sent as typed: the API says what is wrong with it (a number, in its range).
      if (value !== String(config[name])) changes[name] = /^-?\d+$/.test(value) ? Number(value) : value;
    }
    for (const [name, error] of errors) {
      replace(error);
      inputs.get(name)!.removeAttribute('aria-invalid');
    }
    try {
      const saved = await api<{ config: BoxConfig }>('PUT', '/api/call-box/config', changes);
      Object.assign(config, saved.config);
      message.info(callboxId ? `Réglages de ${callboxId} enregistrés.` : 'Réglages globaux enregistrés.');
      onSaved?.();
    } catch (error) {
      message.error(describeError(error));
      if (error instanceof ApiError) showFieldErrors(error.fields);
    }
  }

  function showFieldErrors(fieldErrors: Record<string, string[]>): void {
    let first: HTMLInputElement | null = null;
    for (const [name, messages] of Object.entries(fieldErrors)) {
      const input = inputs.get(name as keyof BoxConfig);
      const error = errors.get(name as keyof BoxConfig);
      if (!input || !error) continue;
      replace(error, messages.join(' '));
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') ?? ''} ${error.id}`.trim());
      first ??= input;
    }
    first?.focus();
  }
  return form;
}
