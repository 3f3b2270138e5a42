/**
 * The route the router matched, as registered (`/api/topup/numbers/:msisdn`), never the raw URL:
 * the router decodes what a prefix test on `request.url` would not (`/api/%74opup/...`), so a
 * family or a budget chosen from the raw URL can be dodged. For a request no route matched, its
 * path decoded and normalised, good only for choosing which error body to answer with.
 */
export function routeOf(request: { url: string; routeOptions?: { url?: string } }): string {
  const matched = request.routeOptions?.url;
  if (matched) return matched;
  const path = request.url.split('?')[0];
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: the raw path is as good as it gets.
  }
  return decoded.replace(/\/{2,}/g, '/').toLowerCase();
}

/** True when `route` is `prefix` or lies under it (`/api/topup` holds `/api/topup/balances`, not `/api/topupx`). */
export function isUnder(route: string, prefix: string): boolean {
  return route === prefix || route.startsWith(`${prefix}/`);
}
