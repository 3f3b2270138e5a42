import type { DtoClass } from '../common/validation/dto-schema';
import { ConfigQueryDto } from './config/config.dto';
import { HeartbeatDto } from './registry/heartbeat.dto';
import { RegisterCallBoxDto } from './registry/registration.dto';
import { PendingQueryDto } from './transactions/pending-query.dto';
import { SubmitTransactionDto } from './transactions/submit-transaction.dto';
import { UpdateStatusDto } from './transactions/update-status.dto';

/**
 * The inputs of the device routes (register, heartbeat, poll, report, submit and the main system's
 * to-callbox, the config a box reads), validated by schemas compiled from these classes at boot
 * (RequestValidationPipe), class-validator deciding what the schemas refuse.
 */
export const DEVICE_ROUTE_DTOS: readonly DtoClass[] = [
  RegisterCallBoxDto,
  HeartbeatDto,
  PendingQueryDto,
  UpdateStatusDto,
  SubmitTransactionDto,
  ConfigQueryDto,
];
