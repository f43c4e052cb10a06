import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsBigintId } from '../../common/http/bigint-id';
import { DateRangeQueryDto, PageDto, PageQueryDto } from '../../common/http/page.dto';
import { Trim } from '../../common/http/trim.decorator';
import { AdminAuditLog } from '../admin-audit-log.entity';
import { AuditAction, AuditTarget } from '../admin-audit.service';

export class AuditLogQueryDto extends IntersectionType(PageQueryDto, DateRangeQueryDto) {
  @ApiPropertyOptional({ example: '7', description: 'Only this admin’s actions', pattern: '^[1-9]\\d{0,18}$' })
  @IsOptional()
  @IsBigintId('adminId')
  adminId?: string;

  @ApiPropertyOptional({ enum: AuditAction, enumName: 'AuditAction' })
  @IsOptional()
  @IsEnum(AuditAction, { message: `action must be one of: ${Object.values(AuditAction).join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ enum: AuditTarget, enumName: 'AuditTarget' })
  @IsOptional()
  @IsEnum(AuditTarget, { message: `targetType must be one of: ${Object.values(AuditTarget).join(', ')}` })
  targetType?: AuditTarget;

  @ApiPropertyOptional({ example: 'PO20261123010203A1B2C3D4E5F60718', description: 'A user id, order number, key or batch id', maxLength: 100 })
  @IsOptional()
  @Trim()
  @MaxLength(100)
  @IsString()
  targetId?: string;
}

/** One admin action: who, what, to which record, when, and the state before and after. */
export class AuditLogDto {
  @ApiProperty({ example: '311' }) id: string;
  @ApiProperty({ example: '7', nullable: true, type: String, description: 'Null once the admin’s account is deleted' }) adminId: string | null;
  @ApiProperty({ example: 'ops@example.com' }) adminEmail: string;
  @ApiProperty({ enum: AuditAction, enumName: 'AuditAction' }) action: AuditAction;
  @ApiProperty({ enum: AuditTarget, enumName: 'AuditTarget' }) targetType: AuditTarget;
  @ApiProperty({ example: '42' }) targetId: string;
  @ApiProperty({ nullable: true, type: String, example: 'Refund requested by email, ticket #88' }) remark: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { balance: '12.50000000' },
    description: 'The fields the action changed, as they were',
  })
  before: Record<string, unknown> | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { balance: '17.50000000', amount: '5.00000000' },
    description: 'The same fields after the action',
  })
  after: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static from(log: AdminAuditLog): AuditLogDto {
    return {
      id: log.id,
      adminId: log.adminId,
      adminEmail: log.adminEmail,
      action: log.action as AuditAction,
      targetType: log.targetType as AuditTarget,
      targetId: log.targetId,
      remark: log.remark,
      before: log.beforeState,
      after: log.afterState,
      createdAt: log.createdAt.toISOString(),
    };
  }
}

export class AuditLogPageDto extends PageDto {
  @ApiProperty({ type: [AuditLogDto] }) items: AuditLogDto[];
}
