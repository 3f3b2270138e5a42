import { api, ApiError, session } from '../api.js';
import { field, h } from '../dom.js';
import { describeError, heading, messageArea } from '../ui.js';

/** The admin key, checked against the API before it is kept (sessionStorage only). */
export function signInPage(main: HTMLElement, notice: string | null): void {
  const message = messageArea();
  const key = h('input', { attrs: { type: 'password', name: 'cle', autocomplete: 'off', required: true, spellcheck: 'false' } });
  const submit = h('button', { attrs: { type: 'submit' }, text: 'Se connecter' });
  const form = h(
    'form',
    { class: 'card narrow', attrs: { novalidate: true } },
    field("Clé d'administration (x-api-key)", key, 'Gardée dans cet onglet seulement, oubliée à la déconnexion ou à la fermeture.'),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn();
  });
  main.append(heading('Connexion'), message.element, form);
  if (notice) message.info(notice);
  key.focus();

  async function signIn(): Promise<void> {
    const value = key.value.trim();
    if (!value) {
      message.error("Saisissez la clé d'administration.");
      key.setAttribute('aria-invalid', 'true');
      return key.focus();
    }
    submit.disabled = true;
    message.info('Vérification de la clé…');
    try {
      await api('GET', '/api/admin/overview', undefined, value);
      session.signIn(value);
      location.hash = '#/apercu';
    } catch (error) {
      key.setAttribute('aria-invalid', 'true');
      message.error(
        error instanceof ApiError && error.status === 401
          ? "Clé refusée : ce n'est pas la clé d'administration de cette passerelle. (Chaque échec compte : après trop d'essais, cette adresse doit attendre.)"
          : describeError(error),
      );
      key.select();
    } finally {
      submit.disabled = false;
    }
  }
}
