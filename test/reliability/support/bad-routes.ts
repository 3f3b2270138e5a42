import fc from 'fast-check';
import { anyString, BadRequest, badObject, badRawBody, enc, Field, field, FuzzTargets, JSON_CT, NASTY, RawBody, validBody } from './bad-values';

// The shapes of a route's wrong requests: bad credentials, refused bodies, refused queries.

/** `callbox-or-admin` routes take either credential: only missing or wrong ones are bad there. */
export type Audience = 'callbox' | 'admin' | 'callbox-or-admin';

const headerSafe = (t: string) => /^[\x21-\x7e]+$/.test(t);
const tokenish = fc
  .oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.constantFrom(...NASTY), fc.integer({ min: 100, max: 4000 }).map((n) => 'A'.repeat(n)))
  .filter(headerSafe);

/** Missing, wrong, malformed, or the other audience's credentials. */
export function badCredentials(audience: Audience, targets: FuzzTargets): fc.Arbitrary<{ headers: Record<string, string>; why: string }> {
  const otherAudience: Record<string, string> =
    audience === 'callbox' ? { 'x-api-key': targets.apiKey } : { authorization: `Bearer ${targets.callboxToken}` };
  const variants: Array<fc.Arbitrary<{ headers: Record<string, string>; why: string }>> = [
    fc.constant({ headers: {}, why: 'no credentials' }),
    tokenish.map((t) => ({ headers: { authorization: `Bearer ${t}` }, why: 'wrong bearer token' })),
    tokenish.map((t) => ({ headers: { 'x-api-key': t }, why: 'wrong api key' })),
    tokenish.map((t) => ({ headers: { authorization: `Bearer ${t}`, 'x-api-key': t }, why: 'wrong token and key' })),
    fc
      .constantFrom('Basic dXNlcjpwYXNz', 'Bearer', 'Bearer    ', 'Token abc', 'Bearer a b', 'null', '', `Bearer ${targets.callboxToken}x`)
      .map((value) => ({ headers: { authorization: value }, why: `malformed authorization "${value.slice(0, 20)}"` })),
  ];
  if (audience !== 'callbox-or-admin') variants.push(fc.constant({ headers: otherAudience, why: 'the other audience credential' }));
  return fc.oneof(...variants);
}

export function authHeaders(audience: Audience | null, targets: FuzzTargets): Record<string, string> {
  if (audience === 'callbox' || audience === 'callbox-or-admin') return { authorization: `Bearer ${targets.callboxToken}` };
  if (audience === 'admin') return { 'x-api-key': targets.apiKey };
  return {};
}

export interface JsonRoute {
  endpoint: string;
  family: 'callbox' | 'topup';
  method: string;
  path: fc.Arbitrary<string>;
  audience: Audience | null;
  fields: Field[];
  /** More ways to be wrong, specific to the route. */
  extra?: Array<fc.Arbitrary<{ value: Record<string, unknown>; why: string }>>;
  /** Headers that are wrong on their own (the body being valid). */
  badHeaders?: fc.Arbitrary<{ headers: Record<string, string>; why: string }>;
}

/** A route taking a JSON body: refused fields, refused bodies, refused credentials or headers. */
export function jsonRoute(route: JsonRoute, targets: FuzzTargets): fc.Arbitrary<BadRequest> {
  const valid = validBody(route.fields);
  const base = (path: string, headers: Record<string, string>, body: RawBody): BadRequest => ({
    endpoint: route.endpoint,
    family: route.family,
    method: route.method,
    path,
    headers: { ...headers, ...(body.contentType && { 'content-type': body.contentType }) },
    body: body.raw,
    why: body.why,
  });
  const objects = fc.oneof(badObject(route.fields), ...(route.extra ?? []));
  const variants: Array<fc.WeightedArbitrary<BadRequest>> = [
    {
      weight: 6,
      arbitrary: fc.tuple(route.path, objects).map(([path, o]) =>
        base(path, authHeaders(route.audience, targets), { raw: JSON.stringify(o.value), contentType: JSON_CT, why: o.why }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(route.path, badRawBody(valid)).map(([path, body]) => base(path, authHeaders(route.audience, targets), body)),
    },
  ];
  if (route.audience) {
    variants.push({
      weight: 1,
      arbitrary: fc.tuple(route.path, valid, badCredentials(route.audience, targets)).map(([path, v, credentials]) =>
        base(path, credentials.headers, { raw: JSON.stringify(v), contentType: JSON_CT, why: credentials.why }),
      ),
    });
  }
  if (route.badHeaders) {
    variants.push({
      weight: 1,
      arbitrary: fc.tuple(route.path, valid, route.badHeaders).map(([path, v, bad]) =>
        base(path, { ...authHeaders(route.audience, targets), ...bad.headers }, { raw: JSON.stringify(v), contentType: JSON_CT, why: bad.why }),
      ),
    });
  }
  return fc.oneof(...variants);
}

/** A route without a body: only its credentials, or an unparseable body, can be wrong. */
export function bodilessRoute(endpoint: string, method: string, path: string, audience: Audience, targets: FuzzTargets): fc.Arbitrary<BadRequest> {
  const request = (headers: Record<string, string>, body: RawBody | null, why: string): BadRequest => ({
    endpoint,
    family: 'callbox',
    method,
    path,
    headers: { ...headers, ...(body?.contentType && { 'content-type': body.contentType }) },
    body: body?.raw,
    why,
  });
  const variants = [badCredentials(audience, targets).map((c) => request(c.headers, null, c.why))];
  if (method !== 'GET') {
    variants.push(badRawBody(fc.constant({}), { parsedOnly: true }).map((body) => request(authHeaders(audience, targets), body, body.why)));
  }
  return fc.oneof(...variants);
}

/** A query parameter: strings only, refused ones judged on the text the server decodes. */
export function queryField(name: string, valid: string, accepts: (s: string) => boolean, nearMisses: string[], required: boolean): Field {
  return field(name, valid, fc.oneof(anyString, fc.constantFrom(...nearMisses)).filter((s) => !accepts(s)), required);
}

/** A query string with at least one refused parameter. */
export function badQuery(params: Field[]): fc.Arbitrary<{ query: string; why: string }> {
  const asText = (v: unknown) => String(v);
  return fc.oneof(
    badObject(params).map(({ value, why }) => ({
      query: Object.entries(value)
        .map(([k, v]) => `${enc(k)}=${enc(asText(v))}`)
        .join('&'),
      why,
    })),
    // The same parameter twice arrives as an array.
    validBody(params).map((value) => ({
      query: [...Object.entries(value), ...Object.entries(value)].map(([k, v]) => `${enc(k)}=${enc(asText(v))}`).join('&'),
      why: 'parameters repeated',
    })),
  );
}
