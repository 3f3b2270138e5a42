import { Injectable, Logger } from '@nestjs/common';
import { assertMayActAs, Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock/clock';
import { AssignedCount } from '../../transactions/assigned-count';
import { PendingCount } from '../../transactions/pending-count';
import { callboxNotRegistered } from '../callbox-errors';
import { AdvertisedSettings } from '../config/callbox-config';
import { CallBoxConfigService } from '../config/callbox-config.service';
import { CallBox, CallBoxRepository, Heartbeat, Registration } from './callbox';

@Injectable()
export class CallBoxRegistryService {
  private readonly logger = new Logger(CallBoxRegistryService.name);

  constructor(
    private readonly boxes: CallBoxRepository,
    private readonly assigned: AssignedCount,
    private readonly configs: CallBoxConfigService,
    private readonly clock: Clock,
    private readonly pendingCount: PendingCount,
  ) {}

  async register(principal: Principal, registration: Registration): Promise<{ box: CallBox; settings: AdvertisedSettings }> {
    assertMayActAs(principal, registration.id);
    const box = await this.boxes.register(registration, this.clock.now());
    return { box, settings: await this.configs.effective(box.id) };
  }

  async heartbeat(
    principal: Principal,
    callboxId: string,
    heartbeat: Heartbeat,
  ): Promise<{ box: CallBox; settings: AdvertisedSettings; pendingTransactions: number }> {
    assertMayActAs(principal, callboxId);
    const now = this.clock.now();
    // Metrics are kept until the next heartbeat that carries some: stamped, the stats can say how old they are.
    const stamped = heartbeat.metrics ? { ...heartbeat.metrics, at: now } : null;
    const recorded = await this.boxes.recordHeartbeat(callboxId, { ...heartbeat, metrics: stamped }, now);
    if (!recorded) throw callboxNotRegistered(callboxId);
    const { box, reconnected } = recorded;
    if (reconnected) this.logger.log({ callboxId, event: 'connected' }, `CallBox ${callboxId} reconnected`);
    // Almost always all three are cached: answered without the awaits (a promise and a frame each).
    const settingsNow = this.configs.effectiveNow(callboxId);
    const waitingNow = this.assigned.counted(callboxId);
    const queuedNow = this.pendingCount.currentNow();
    if (settingsNow && waitingNow !== undefined && queuedNow !== undefined) {
      return { box, settings: settingsNow, pendingTransactions: waitingNow + queuedNow };
    }
    const [settings, waitingForBox, queued] = await Promise.all([
      settingsNow ?? this.configs.effective(callboxId),
      waitingNow ?? this.assigned.current(callboxId),
      queuedNow ?? this.pendingCount.current(),
    ]);
    return { box, settings, pendingTransactions: waitingForBox + queued };
  }

  async require(callboxId: string): Promise<CallBox> {
    const box = await this.boxes.findById(callboxId);
    if (!box) throw callboxNotRegistered(callboxId);
    return box;
  }
}
