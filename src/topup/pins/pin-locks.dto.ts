import { ApiProperty } from '@nestjs/swagger';
import { IsMsisdn } from '../../topup/validation/topup-validators';

export class PinLockParamsDto {
  @IsMsisdn('Numéro mobile dont les verrous sont levés')
  msisdn: string;
}

export class PinLockDto {
  @ApiProperty({ example: '77123456' })
  msisdn: string;
  /** `address`: the number from one client address (15 min, 24 h from the 3rd lock in 24 h); `number`: every address (24 h). */
  @ApiProperty({ enum: ['address', 'number'], example: 'address' })
  scope: 'address' | 'number';
  @ApiProperty({ example: '203.0.113.9', nullable: true, type: String })
  clientAddress: string | null;
  @ApiProperty({ example: '2024-10-07T15:15:00.000Z' })
  lockedUntil: string;
  /** Locks of this scope within the last 24 hours. */
  @ApiProperty({ example: 1 })
  locks: number;
}

export class PinLocksResponseDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ type: [PinLockDto] })
  locks: PinLockDto[];
}

export class PinLocksLiftedDto {
  @ApiProperty({ example: true })
  success: true;
  @ApiProperty({ example: '77123456' })
  msisdn: string;
  /** Locks that were in force and are lifted (counts of wrong PINs are reset too). */
  @ApiProperty({ example: 1 })
  lifted: number;
}
