import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { DateRangeQueryDto, PageDto, PageQueryDto } from '../../common/http/page.dto';
import { IsBigintId } from '../../common/http/bigint-id';

export class ReferralInfoDto {
  @ApiProperty({ description: 'False when the feature is switched off; the other fields are then empty' }) enabled: boolean;
  @ApiProperty({ example: 'K7QX2M9P', nullable: true, type: String }) code: string | null;
  @ApiProperty({ example: 'http://localhost:3000/login?code=K7QX2M9P', nullable: true, type: String }) link: string | null;
  @ApiProperty({ example: 3 }) invitedCount: number;
  @ApiProperty({ example: 1, description: 'Invitees whose payments reached the qualifying total' }) qualifiedCount: number;
  @ApiProperty({ example: 1 }) rewardedCount: number;
  @ApiProperty({ example: '10.00000000', description: 'USD earned from invites' }) totalRewardUsd: string;
  @ApiProperty({ example: '10.00', description: 'USD the referrer earns per qualified invitee' }) rewardUsd: string;
  @ApiProperty({ example: '20.00', description: 'CNY an invitee must pay in total to qualify' }) qualifiedRechargeCny: string;
}

export enum InviteeStatus {
  Registered = 'registered',
  Qualified = 'qualified',
  Rewarded = 'rewarded',
}

export class InviteeDto {
  @ApiProperty({ example: 'al***ce', description: 'Masked username' }) username: string;
  @ApiProperty({ enum: InviteeStatus, enumName: 'InviteeStatus' }) status: InviteeStatus;
  @ApiProperty({ format: 'date-time' }) joinedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) qualifiedAt: string | null;
  @ApiProperty({ example: '10.00000000', description: 'USD this invitee earned the referrer' }) rewardUsd: string;
}

export class InviteePageDto extends PageDto {
  @ApiProperty({ type: [InviteeDto] }) items: InviteeDto[];
}

const asBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

export class AdminReferralQueryDto extends IntersectionType(PageQueryDto, DateRangeQueryDto) {
  @ApiPropertyOptional({ example: '42', pattern: '^[1-9]\\d{0,18}$' })
  @IsOptional()
  @IsBigintId('referrerId')
  referrerId?: string;

  @ApiPropertyOptional({ example: '43', pattern: '^[1-9]\\d{0,18}$' })
  @IsOptional()
  @IsBigintId('inviteeId')
  inviteeId?: string;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @asBoolean()
  @IsBoolean({ message: 'qualified must be true or false' })
  qualified?: boolean;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @asBoolean()
  @IsBoolean({ message: 'rewarded must be true or false' })
  rewarded?: boolean;
}

export class AdminInviteDto {
  @ApiProperty({ example: '7' }) id: string;
  @ApiProperty({ example: '43' }) inviteeId: string;
  @ApiProperty({ example: 'alice' }) inviteeUsername: string;
  @ApiProperty({ example: '42' }) referrerId: string;
  @ApiProperty({ example: 'bob' }) referrerUsername: string;
  @ApiProperty({ example: '24.00' }) totalRechargeCny: string;
  @ApiProperty({ example: '3.33333334' }) totalRechargeUsd: string;
  @ApiProperty({ enum: InviteeStatus, enumName: 'InviteeStatus' }) status: InviteeStatus;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) qualifiedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) rewardIssuedAt: string | null;
  @ApiProperty({ example: '10.00000000' }) rewardAmountUsd: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AdminInvitePageDto extends PageDto {
  @ApiProperty({ type: [AdminInviteDto] }) items: AdminInviteDto[];
}
