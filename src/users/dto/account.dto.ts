import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { REMARK_MAX_LENGTH } from '../../ledger/recharge-record.entity';
import { RechargeRecordDto } from '../../ledger/dto/recharge-record.dto';
import { OrderDto } from '../../payments/dto/order.dto';
import { InviteeDto } from '../../referrals/dto/referral.dto';
import { Trim } from '../../common/http/trim.decorator';
import { UserRole, UserStatus } from '../user.entity';

export class CloseOwnAccountDto {
  @ApiProperty({ example: 'my current password', format: 'password', maxLength: 200, description: 'The account’s password, to confirm' })
  @MaxLength(200)
  @IsNotEmpty({ message: 'password is required' })
  @IsString()
  password: string;
}

export class CloseAccountDto {
  @ApiProperty({ example: 'Closed at the user’s request, ticket #88', maxLength: REMARK_MAX_LENGTH })
  @Trim()
  @MaxLength(REMARK_MAX_LENGTH)
  @IsNotEmpty({ message: 'remark is required' })
  @IsString()
  remark: string;
}

/** What closing an account did. */
export class ClosedAccountDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ enum: [UserStatus.Closed], example: UserStatus.Closed }) status: UserStatus.Closed;
  @ApiProperty({ format: 'date-time' }) closedAt: string;
  @ApiProperty({
    example: '12.50000000',
    description: 'USD left on the account when it closed: not paid out, kept in its ledger and in the audit entry',
  })
  balanceUsd: string;
  @ApiProperty({ example: '0.00000000', description: 'USD of the active holds released by the closing' }) releasedHoldsUsd: string;
  @ApiProperty({ type: [String], example: ['PO20261123010203A1B2C3D4E5F60718'], description: 'Pending orders cancelled by the closing' })
  cancelledOrders: string[];
}

/** The account itself, in a data export. */
export class ExportProfileDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ example: 'alice@example.com' }) email: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ enum: UserRole, enumName: 'UserRole' }) role: UserRole;
  @ApiProperty({ enum: UserStatus, enumName: 'UserStatus' }) status: UserStatus;
  @ApiProperty({ example: '12.50000000', description: 'USD, decimal string' }) balance: string;
  @ApiProperty({ example: '0.00000000', description: 'USD reserved by active holds' }) held: string;
  @ApiProperty({ example: '203.0.113.7', nullable: true, type: String, description: 'The address the account registered from' })
  registrationIp: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/** The new-user promotion, in a data export. */
export class ExportPromotionDto {
  @ApiProperty({ example: 'active', description: 'active | used | expired' }) status: string;
  @ApiProperty({ format: 'date-time' }) activatedAt: string;
  @ApiProperty({ format: 'date-time' }) expireAt: string;
  @ApiProperty({ nullable: true, type: Number }) usedTier: number | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) usedAt: string | null;
  @ApiProperty({ nullable: true, type: String, example: '2.77777778' }) usedAmount: string | null;
  @ApiProperty({ nullable: true, type: String, example: '0.83333333' }) bonusAmount: string | null;
}

/** Who invited this account, in a data export (the referrer's username masked). */
export class ExportInvitedByDto {
  @ApiProperty({ example: 'bo***b', description: 'Masked username of the referrer' }) referrer: string;
  @ApiProperty({ format: 'date-time' }) joinedAt: string;
}

export class ExportReferralDto {
  @ApiProperty({ example: 'K7QX2M9P', nullable: true, type: String, description: 'This account’s invite code' }) code: string | null;
  @ApiProperty({ type: ExportInvitedByDto, nullable: true }) invitedBy: ExportInvitedByDto | null;
  @ApiProperty({ type: [InviteeDto], description: 'The people this account invited, newest first, usernames masked' })
  invitees: InviteeDto[];
}

/** GET /api/users/me/export: everything the app keeps about the signed-in account. Holds no secret (no password hash, token or key). */
export class AccountExportDto {
  @ApiProperty({ format: 'date-time' }) exportedAt: string;
  @ApiProperty({ type: ExportProfileDto }) profile: ExportProfileDto;
  @ApiProperty({ type: ExportPromotionDto, nullable: true }) promotion: ExportPromotionDto | null;
  @ApiProperty({ type: ExportReferralDto }) referral: ExportReferralDto;
  @ApiProperty({ type: [OrderDto], description: 'Payment orders, newest first' }) orders: OrderDto[];
  @ApiProperty({ type: [RechargeRecordDto], description: 'Ledger rows, newest first (operator admin or system)' }) ledger: RechargeRecordDto[];
}
