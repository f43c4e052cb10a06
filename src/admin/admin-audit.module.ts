import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditLog } from './admin-audit-log.entity';
import { AdminAuditService } from './admin-audit.service';
import { PaymentAuditTrail } from '../payments/payment-audit-trail';

/**
 * The audit log on its own, for the modules that record into it without
 * being the admin module (closing an account records who closed it, whether
 * an admin or the account's owner), and the payments module through its
 * PaymentAuditTrail port (a refund the gateway failed later is audited,
 * operator `gateway`).
 */
@Module({
  imports: [TypeOrmModule.forFeature([AdminAuditLog])],
  providers: [AdminAuditService, { provide: PaymentAuditTrail, useExisting: AdminAuditService }],
  exports: [AdminAuditService, PaymentAuditTrail],
})
export class AdminAuditModule {}
