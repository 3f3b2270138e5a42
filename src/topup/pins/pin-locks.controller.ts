import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/auth.guard';
import { ApiErrorResponses } from '../../common/http/api-error-responses';
import { PinLocksService } from './pin-locks.service';
import { PinLockParamsDto, PinLocksLiftedDto, PinLocksResponseDto } from './pin-locks.dto';

/** Admins see the PIN locks in force and lift those of a number (after checking with its owner). */
@ApiTags('Administration')
@Authenticated('admin')
@Controller('admin/pin-locks')
export class PinLocksController {
  constructor(private readonly locks: PinLocksService) {}

  @Get()
  @ApiOperation({ summary: 'Verrous PIN en vigueur (les plus récents d’abord)' })
  @ApiErrorResponses(401, 403)
  async list(): Promise<PinLocksResponseDto> {
    return { success: true, locks: await this.locks.list() };
  }

  @Delete(':msisdn')
  @ApiOperation({ summary: 'Lever les verrous PIN d’un numéro (toutes adresses)' })
  @ApiErrorResponses(400, 401, 403)
  async lift(@Param() params: PinLockParamsDto): Promise<PinLocksLiftedDto> {
    const { msisdn, lifted } = await this.locks.lift(params.msisdn);
    return { success: true, msisdn, lifted };
  }
}
