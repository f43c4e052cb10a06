import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../common/config/app-config';
import { LedgerModule } from '../ledger/ledger.module';
import { PromotionsModule } from '../promotions/promotions.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { AdminAuditModule } from '../admin/admin-audit.module';
import { PaymentsModule } from '../payments/payments.module';
import { SpendingModule } from '../spending/spending.module';
import { AccountClosingService } from './account-closing.service';
import { AccountExportService } from './account-export.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // A KeyObject, made once: given a string, jsonwebtoken first tries (and fails) to parse it as a
        // public key on every verify, which cost ~8 % of the CPU of an authenticated request.
        secret: createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8')),
        signOptions: { expiresIn: config.auth.jwtTtlSeconds, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    LedgerModule,
    PromotionsModule,
    ReferralsModule,
    PaymentsModule,
    SpendingModule,
    AdminAuditModule,
  ],
  controllers: [AuthController, UsersController],
  providers: [UsersService, AuthService, AdminBootstrapService, AuthGuard, AccountClosingService, AccountExportService],
  exports: [UsersService, AuthService, AdminBootstrapService, AuthGuard, AccountClosingService],
})
export class UsersModule {}
