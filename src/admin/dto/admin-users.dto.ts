import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/http/trim.decorator';
import { PageDto, PageQueryDto } from '../../common/http/page.dto';
import { MeDto } from '../../users/dto/user.dto';
import { UserRole, UserStatus } from '../../users/user.entity';
import { REMARK_MAX_LENGTH } from '../../ledger/recharge-record.entity';

export class AdminUserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Part of an email or username, or a user id', maxLength: 100 })
  @IsOptional()
  @Trim()
  @MaxLength(100)
  @IsString()
  q?: string;

  @ApiPropertyOptional({ enum: UserStatus, enumName: 'UserStatus' })
  @IsOptional()
  @IsEnum(UserStatus, { message: `status must be one of: ${Object.values(UserStatus).join(', ')}` })
  status?: UserStatus;

  @ApiPropertyOptional({ enum: UserRole, enumName: 'UserRole' })
  @IsOptional()
  @IsEnum(UserRole, { message: `role must be one of: ${Object.values(UserRole).join(', ')}` })
  role?: UserRole;
}

export class AdminUserPageDto extends PageDto {
  @ApiProperty({ type: [MeDto] }) items: MeDto[];
}

/** The statuses an admin can set; closing is its own action (POST /api/admin/users/:id/close), and never undone. */
const SETTABLE_STATUSES = [UserStatus.Active, UserStatus.Disabled] as const;

export class UserStatusChangeDto {
  @ApiProperty({ enum: SETTABLE_STATUSES, example: UserStatus.Disabled })
  @IsIn(SETTABLE_STATUSES, { message: `status must be one of: ${SETTABLE_STATUSES.join(', ')}` })
  status: UserStatus.Active | UserStatus.Disabled;

  @ApiProperty({ example: 'Chargeback fraud, ticket #88', maxLength: REMARK_MAX_LENGTH })
  @Trim()
  @MaxLength(REMARK_MAX_LENGTH)
  @IsNotEmpty({ message: 'remark is required' })
  @IsString()
  remark: string;
}
