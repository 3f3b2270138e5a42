import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import type { Principal } from './principal';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks presented secrets in constant time: every candidate is hashed to the same length and
 * compared with timingSafeEqual, and every known token is compared, match or not.
 */
@Injectable()
export class Credentials {
  private readonly callboxTokens: Array<{ digest: Buffer; boundTo: string | null }>;
  private readonly apiKeys: Buffer[];
  /** Boxes that have a token of their own: the shared token may not act for them. */
  private readonly boxesWithOwnToken: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.callboxTokens = [
      ...(config.callboxToken === null ? [] : [{ digest: digest(config.callboxToken), boundTo: null }]),
      ...[...config.boundCallboxTokens].map(([token, callboxId]) => ({ digest: digest(token), boundTo: callboxId })),
    ];
    this.boxesWithOwnToken = new Set(config.boundCallboxTokens.values());
    this.apiKeys = config.apiKeys.map(digest);
  }

  callboxPrincipal(token: string): Principal | null {
    const presented = digest(token);
    let match: Principal | null = null;
    for (const candidate of this.callboxTokens) {
      if (timingSafeEqual(presented, candidate.digest) && match === null) {
        match = candidate.boundTo
          ? { kind: 'callbox', boundTo: candidate.boundTo }
          : { kind: 'callbox', boundTo: null, excluded: this.boxesWithOwnToken };
      }
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
