import { CallBox, liveStatus, WORKING_STATUS } from '../registry/callbox';

/** The box as the backend sees it at a poll, and, when it gets no new work, why and what to do. */
export interface PollStanding {
  /** `active`, `disconnected`, `degraded`, or the word of its last heartbeat (`maintenance`...). */
  status: string;
  /** Only when the box gets no new work: why, in words. */
  message?: string;
}

/**
 * Spec 000 says nothing of a poll from a box the backend holds for lost: it is answered 200 as
 * any poll, with the reason it gets nothing new, rather than reconnected by the poll (the heartbeat
 * alone says the box is up and what state it is in).
 */
export function standingOf(box: CallBox, now: number, heartbeatTimeoutMs: number): PollStanding {
  const status = liveStatus(box, now, heartbeatTimeoutMs);
  if (status === 'disconnected') {
    const seconds = Math.round(heartbeatTimeoutMs / 1000);
    return {
      status,
      message: `Aucun heartbeat depuis plus de ${seconds} s : CallBox considérée déconnectée, aucun nouveau travail. Envoyez un heartbeat (POST /api/call-box/heartbeat) pour en recevoir.`,
    };
  }
  if (status === 'degraded') {
    return {
      status,
      message: `CallBox en pause jusqu'à ${new Date(box.degradedUntil!).toISOString()} (${box.degradedReason}) : aucun nouveau travail d'ici là.`,
    };
  }
  if (status !== WORKING_STATUS) {
    return {
      status,
      message: `Le dernier heartbeat dit « ${status} » : aucun nouveau travail tant qu'un heartbeat ne dit pas « ${WORKING_STATUS} ».`,
    };
  }
  return { status };
}

