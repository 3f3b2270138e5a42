import { hash, randomBytes } from 'node:crypto';

/**
 * Known secrets (tokens, API keys), each with what it proves, found from a presented value by a
 * keyed digest: SHA-256 of a random key made at boot followed by the value, as hex. The map's
 * lookup compares digests, not secrets, and nobody outside the process can compute a digest (the
 * key never leaves it), so how long a lookup takes says nothing about any secret: the reason for
 * comparing in constant time, met without comparing with every secret in turn. One lookup whatever
 * the number of secrets (a fleet with a token per box), and no Buffer per request: a Buffer made by
 * crypto lives outside V8's heap with a finalizer for the collector to run, and cost the idle poll
 * more than the hash itself.
 */
export class SecretIndex<T> {
  // Private fields (#): JSON.stringify and util.inspect of an object holding the index (Credentials)
  // never print the key or the digests.
  readonly #key = randomBytes(32).toString('hex');
  readonly #byDigest = new Map<string, T>();

  /** The first entry of a secret listed twice is the one found. */
  constructor(entries: Iterable<readonly [secret: string, value: T]>) {
    for (const [secret, value] of entries) {
      const digest = this.#digest(secret);
      if (!this.#byDigest.has(digest)) this.#byDigest.set(digest, value);
    }
  }

  find(presented: string): T | null {
    return this.#byDigest.get(this.#digest(presented)) ?? null;
  }

  #digest(value: string): string {
    return hash('sha256', this.#key + value);
  }
}
