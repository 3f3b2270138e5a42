import { DomainError } from '../common/errors/domain-error';

export const callboxNotRegistered = (callboxId: string) =>
  new DomainError(
    'CALLBOX.NOT_REGISTERED',
    'not_found',
    "CallBox non enregistré : appelez d'abord POST /api/call-box/register",
    { callboxId },
  );
