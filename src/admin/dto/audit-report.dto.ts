import { ApiProperty } from '@nestjs/swagger';

export class AuditViolationDto {
  @ApiProperty({ example: '1. balance = SUM(ledger amounts) = latest balance_after' }) invariant: string;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) rows: Record<string, unknown>[];
}

export class AuditReportDto {
  @ApiProperty({ description: 'True when every ledger invariant holds' }) ok: boolean;
  @ApiProperty({ type: [AuditViolationDto] }) violations: AuditViolationDto[];
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
}
