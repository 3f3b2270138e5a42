import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { assertMayActAs, Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock/clock';
import { RequestValidationError } from '../../common/errors/domain-error';
import { callboxNotRegistered } from '../callbox-errors';
import { CallBoxRepository } from '../registry/callbox';
import { CallBoxConfigRepository, CallBoxSettings, GLOBAL_SCOPE } from './callbox-config';

/** Effective settings: a box's override, else the global row, else the environment's defaults. */
@Injectable()
export class CallBoxConfigService {
  constructor(
    private readonly repository: CallBoxConfigRepository,
    private readonly boxes: CallBoxRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async effective(callboxId?: string): Promise<CallBoxSettings> {
    const scopes = callboxId ? [GLOBAL_SCOPE, callboxId] : [GLOBAL_SCOPE];
    const stored = await this.repository.find(scopes);
    return {
      ...this.config.callboxDefaults,
      ...stored.get(GLOBAL_SCOPE),
      ...(callboxId ? stored.get(callboxId) : undefined),
    };
  }

  /** Effective settings of many boxes with one query. */
  async effectiveForMany(callboxIds: readonly string[]): Promise<Map<string, CallBoxSettings>> {
    const stored = await this.repository.find([GLOBAL_SCOPE, ...callboxIds]);
    const global = { ...this.config.callboxDefaults, ...stored.get(GLOBAL_SCOPE) };
    return new Map(callboxIds.map((id) => [id, { ...global, ...stored.get(id) }]));
  }

  async read(principal: Principal, callboxId?: string): Promise<{ scope: string; config: CallBoxSettings }> {
    if (callboxId) {
      assertMayActAs(principal, callboxId);
      await this.requireBox(callboxId);
    }
    return { scope: callboxId ?? GLOBAL_SCOPE, config: await this.effective(callboxId) };
  }

  async update(changes: Partial<CallBoxSettings>, callboxId?: string): Promise<{ scope: string; config: CallBoxSettings }> {
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new RequestValidationError({
        body: ['Indiquez au moins un réglage: maxRetries, timeoutMs, batchSize ou pollIntervalMs'],
      });
    }
    if (callboxId) await this.requireBox(callboxId);
    await this.repository.merge(callboxId ?? GLOBAL_SCOPE, changes, this.clock.now());
    return { scope: callboxId ?? GLOBAL_SCOPE, config: await this.effective(callboxId) };
  }

  private async requireBox(callboxId: string): Promise<void> {
    if (!(await this.boxes.findById(callboxId))) throw callboxNotRegistered(callboxId);
  }
}
