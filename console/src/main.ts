import { session, whenUnauthenticated } from './api.js';
import { h, replace } from './dom.js';
import { fleetPage } from './pages/fleet.js';
import { overviewPage } from './pages/overview.js';
import { reviewPage } from './pages/review.js';
import { signInPage } from './pages/sign-in.js';
import { syncPage } from './pages/sync.js';
import { topUpPage } from './pages/topup.js';
import { transactionsPage } from './pages/transactions.js';
import type { Cleanup, Page } from './ui.js';

interface Route {
  path: string;
  title: string;
  page: Page;
}

const ROUTES: Route[] = [
  { path: 'apercu', title: "Vue d'ensemble", page: overviewPage },
  { path: 'a-verifier', title: 'À vérifier', page: reviewPage },
  { path: 'flotte', title: 'Flotte', page: fleetPage },
  { path: 'transactions', title: 'Transactions', page: transactionsPage },
  { path: 'synchronisation', title: 'Synchronisation', page: syncPage },
  { path: 'topup', title: 'TopUp', page: topUpPage },
];
const SIGN_IN = 'connexion';

const main = document.getElementById('contenu') as HTMLElement;
const nav = document.getElementById('navigation') as HTMLElement;
const signOutButton = document.getElementById('deconnexion') as HTMLButtonElement;
let cleanup: Cleanup | void;
let notice: string | null = null;

function navigate(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  const wanted = location.hash.replace(/^#\/?/, '');
  const signedIn = session.key() !== null;
  nav.hidden = !signedIn;
  signOutButton.hidden = !signedIn;
  if (!signedIn && wanted !== SIGN_IN) return void location.replace(`#/${SIGN_IN}`);
  if (signedIn && wanted === SIGN_IN) return void location.replace('#/apercu');
  const route = ROUTES.find((r) => r.path === wanted);
  if (signedIn && !route) return void location.replace('#/apercu');

  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#/${wanted}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  replace(main);
  document.title = `${route ? route.title : 'Connexion'} — Console MeRecharge`;
  if (route) cleanup = route.page(main);
  else {
    signInPage(main, notice);
    notice = null;
  }
  // Focus the new page's heading, so keyboard and screen reader users start there.
  const title = main.querySelector('h1');
  if (title && document.activeElement !== main.querySelector('input')) title.focus();
}

function signOut(message: string | null): void {
  session.signOut();
  notice = message;
  location.hash = `#/${SIGN_IN}`;
  if (location.hash === `#/${SIGN_IN}`) navigate();
}

replace(nav, h('ul', {}, ...ROUTES.map((route) => h('li', {}, h('a', { attrs: { href: `#/${route.path}` }, text: route.title })))));
signOutButton.addEventListener('click', () => signOut('Vous êtes déconnecté : la clé a été oubliée.'));
whenUnauthenticated(() => signOut('La clé a été refusée (révoquée ou changée) : reconnectez-vous.'));
// The skip link moves focus without touching the hash (the hash is the router's).
document.querySelector('.skip')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', navigate);
navigate();
