import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { requestOf } from '../http/http-args';
import type { AuthenticatedRequest } from './auth.guard';

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext) => requestOf<AuthenticatedRequest>(context).principal,
);
