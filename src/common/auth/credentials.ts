import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { Principal } from './principal';
import { SecretIndex } from './secret-index';

/** Checks presented secrets without a timing oracle on them (SecretIndex). */
@Injectable()
export class Credentials {
  /** Each token with the principal it proves, made once: every request with it gets that same (frozen) principal. */
  private readonly callboxTokens: SecretIndex<Principal>;
  private readonly apiKeys: SecretIndex<true>;
  /** Boxes that have a token of their own: the shared token may not act for them. */
  private readonly boxesWithOwnToken: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.boxesWithOwnToken = new Set(config.boundCallboxTokens.values());
    const shared: Principal = Object.freeze({ kind: 'callbox', boundTo: null, excluded: this.boxesWithOwnToken });
    this.callboxTokens = new SecretIndex<Principal>([
      ...(config.callboxToken === null ? [] : [[config.callboxToken, shared] as const]),
      ...[...config.boundCallboxTokens].map(([token, callboxId]) => [token, Object.freeze({ kind: 'callbox', boundTo: callboxId }) as Principal] as const),
    ]);
    this.apiKeys = new SecretIndex(config.apiKeys.map((key) => [key, true] as const));
  }

  callboxPrincipal(token: string): Principal | null {
    return this.callboxTokens.find(token);
  }

  isApiKey(key: string): boolean {
    return this.apiKeys.find(key) !== null;
  }
}
