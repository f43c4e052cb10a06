import { ApiProperty } from '@nestjs/swagger';
import { User, UserRole, UserStatus } from '../user.entity';

export class MeDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ example: 'alice@example.com' }) email: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ enum: UserRole, enumName: 'UserRole' }) role: UserRole;
  @ApiProperty({ enum: UserStatus, enumName: 'UserStatus' }) status: UserStatus;
  @ApiProperty({ example: '12.50000000', description: 'USD, decimal string' }) balance: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

  static from(user: User): MeDto {
    return {
      id: user.id,
      email: user.email,
      username: user.username,
      role: user.role,
      status: user.status,
      balance: user.balance,
      createdAt: user.createdAt.toISOString(),
    };
  }
}

export class BalanceDto {
  @ApiProperty({ example: '12.50000000', description: 'USD, decimal string' }) balance: string;
  @ApiProperty({ example: 'USD' }) currency: 'USD';
}
