import { api } from '../api.js';
import { h, replace, table } from '../dom.js';
import { ago, boxStateLabel, dateTime, degradedReasonLabel, duration, number, typeLabel } from '../format.js';
import { settingsForm } from '../settings-form.js';
import type { Box } from '../types.js';
import { describeError, every, heading, messageArea } from '../ui.js';

/** Every box: state, heartbeat age, load, what it reported, degradation; its settings on demand. */
export function fleetPage(main: HTMLElement) {
  const message = messageArea();
  const list = h('div', { class: 'card' });
  const editor = h('section', { class: 'card', attrs: { 'aria-label': 'Réglages de la CallBox' } });
  main.append(heading('Flotte'), message.element, list, editor);

  async function refresh(): Promise<void> {
    try {
      const { boxes } = await api<{ boxes: Box[] }>('GET', '/api/admin/boxes');
      message.clear();
      if (boxes.length === 0) return replace(list, h('p', { text: 'Aucune CallBox enregistrée.' }));
      replace(list, table(`${boxes.length} CallBox`, ['CallBox', 'État', 'Heartbeat', 'En cours / max', 'Rapporté', 'Version et lieu', 'Types et opérateurs', 'Dégradée', 'Réglages'], boxes.map(row)));
    } catch (error) {
      message.error(describeError(error));
    }
  }

  function row(box: Box) {
    const r = box.reported;
    return [
      h('strong', { text: box.id }),
      h('span', { class: `box-state box-${box.status === 'disconnected' || box.status === 'degraded' ? box.status : 'ok'}`, text: boxStateLabel(box.status) }),
      ago(box.heartbeatAgeMs),
      `${box.load.inFlight} / ${box.load.maxConcurrent}`,
      h(
        'ul',
        { class: 'plain' },
        h('li', { text: `Mot d’état : ${r.status}` }),
        h('li', { text: `En service : ${duration(r.uptime)}` }),
        h('li', { text: `Mémoire : ${r.memoryUsage === null ? '—' : `${r.memoryUsage} %`}` }),
        h('li', { text: `Traitées : ${number(r.processedTransactions)}` }),
        h('li', { text: `File : ${r.queueSize}` }),
      ),
      h('span', {}, box.version ?? '—', h('br'), box.location ?? '—'),
      h('span', {}, box.supportedTypes.map(typeLabel).join(', '), h('br'), box.operators ? box.operators.join(', ') : 'tous opérateurs'),
      box.degradedReason ? `${degradedReasonLabel(box.degradedReason)}, jusqu’à ${dateTime(box.degradedUntil)}` : '—',
      h('button', { attrs: { type: 'button', 'aria-label': `Modifier les réglages de ${box.id}` }, text: 'Modifier', on: { click: () => void edit(box.id) } }),
    ];
  }

  async function edit(callboxId: string): Promise<void> {
    try {
      replace(editor, h('h2', { attrs: { tabindex: -1 }, text: `Réglages de ${callboxId}` }), await settingsForm(callboxId));
      (editor.querySelector('h2') as HTMLElement).focus();
    } catch (error) {
      message.error(describeError(error));
    }
  }

  replace(editor, h('p', { text: 'Choisissez « Modifier » sur une CallBox pour changer ses réglages.' }));
  return every(5000, refresh);
}
