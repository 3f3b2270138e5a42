import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export const CALLBOX_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A CallBox identifier such as `callbox_001`: letters, digits, `_` and `-`, at most 64. */
export function IsCallBoxId() {
  return applyDecorators(
    ApiProperty({ example: 'callbox_001', pattern: CALLBOX_ID_PATTERN.source }),
    IsString(),
    Matches(CALLBOX_ID_PATTERN, { message: '$property: letters, digits, _ and - only, 1 to 64 characters' }),
  );
}
