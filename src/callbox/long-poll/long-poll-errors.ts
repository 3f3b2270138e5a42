import { DomainError } from '../../common/errors/domain-error';

export const tooManyHeldPolls = (callboxId: string, held: number) => {
  const error = new DomainError(
    'LONG_POLL.TOO_MANY_HELD',
    'rate_limited',
    'Trop de requêtes longues en attente pour ce CallBox',
    { callboxId, held, hint: `au plus ${held} requêtes avec waitMs en attente par CallBox : attendez la réponse d'une requête avant d'en envoyer une autre` },
  );
  error.retryAfterSeconds = 1;
  return error;
};
