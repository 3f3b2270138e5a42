import { Injectable } from '@nestjs/common';
import { hash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import type { Principal } from './principal';

// One-shot SHA-256 of the UTF-8 bytes (a third of createHash's cost: no Hash object per request).
const digest = (value: string): Buffer => hash('sha256', value, 'buffer') as unknown as Buffer;

/**
 * Checks presented secrets in constant time: every candidate is hashed to the same length and
 * compared with timingSafeEqual, and every known token is compared, match or not.
 */
@Injectable()
export class Credentials {
  /** Each token with the principal it proves, made once: every request with it gets that same (frozen) principal. */
  private readonly callboxTokens: Array<{ digest: Buffer; principal: Principal }>;
  private readonly apiKeys: Buffer[];
  /** Boxes that have a token of their own: the shared token may not act for them. */
  private readonly boxesWithOwnToken: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.boxesWithOwnToken = new Set(config.boundCallboxTokens.values());
    const shared: Principal = Object.freeze({ kind: 'callbox', boundTo: null, excluded: this.boxesWithOwnToken });
    this.callboxTokens = [
      ...(config.callboxToken === null ? [] : [{ digest: digest(config.callboxToken), principal: shared }]),
      ...[...config.boundCallboxTokens].map(([token, callboxId]) => ({
        digest: digest(token),
        principal: Object.freeze({ kind: 'callbox', boundTo: callboxId }) as Principal,
      })),
    ];
    this.apiKeys = config.apiKeys.map(digest);
  }

  callboxPrincipal(token: string): Principal | null {
    const presented = digest(token);
    let match: Principal | null = null;
    for (const candidate of this.callboxTokens) {
      if (timingSafeEqual(presented, candidate.digest) && match === null) match = candidate.principal;
    }
    return match;
  }

  isApiKey(key: string): boolean {
    const presented = digest(key);
    let match = false;
    for (const candidate of this.apiKeys) match = timingSafeEqual(presented, candidate) || match;
    return match;
  }
}
