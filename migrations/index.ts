import { InitialSchema1763856000000 } from './1763856000000-InitialSchema';
import { PaymentWebhookEvents1763942400000 } from './1763942400000-PaymentWebhookEvents';
import { OrderLifecycle1764115200000 } from './1764115200000-OrderLifecycle';
import { OrderInsertFunction1764201600000 } from './1764201600000-OrderInsertFunction';
import { LedgerNoTruncate1764288000000 } from './1764288000000-LedgerNoTruncate';
import { UserTokenVersion1764374400000 } from './1764374400000-UserTokenVersion';
import { RegistrationIp1764460800000 } from './1764460800000-RegistrationIp';
import { IdempotencyKeys1764547200000 } from './1764547200000-IdempotencyKeys';
import { ScheduledJobs1764633600000 } from './1764633600000-ScheduledJobs';
import { Spending1764720000000 } from './1764720000000-Spending';
import { RedeemCodes1764806400000 } from './1764806400000-RedeemCodes';
import { ChargeBatchFunction1764892800000 } from './1764892800000-ChargeBatchFunction';
import { PromotionTiersFromZero1764979200000 } from './1764979200000-PromotionTiersFromZero';
import { LedgerOperatorEmailLength1765065600000 } from './1765065600000-LedgerOperatorEmailLength';
import { GatewayPlugins1765152000000 } from './1765152000000-GatewayPlugins';
import { UsdtTrc201765238400000 } from './1765238400000-UsdtTrc20';
import { OutboxEvents1765324800000 } from './1765324800000-OutboxEvents';
import { ChargeBatchLocksUsersByIndex1765411200000 } from './1765411200000-ChargeBatchLocksUsersByIndex';
import { AttentionIndex1765497600000 } from './1765497600000-AttentionIndex';
import { ReconcileFailedOrders1765584000000 } from './1765584000000-ReconcileFailedOrders';
import { IdempotencyLease1765670400000 } from './1765670400000-IdempotencyLease';
import { RefundsFailingLater1765756800000 } from './1765756800000-RefundsFailingLater';
import { AccountClosing1765843200000 } from './1765843200000-AccountClosing';
import { ClosedAccountsCannotSpend1765929600000 } from './1765929600000-ClosedAccountsCannotSpend';
import { Campaigns1766016000000 } from './1766016000000-Campaigns';

/** Every migration, oldest first. A new migration file is added here too. */
export const MIGRATIONS = [
  InitialSchema1763856000000,
  PaymentWebhookEvents1763942400000,
  OrderLifecycle1764115200000,
  OrderInsertFunction1764201600000,
  LedgerNoTruncate1764288000000,
  UserTokenVersion1764374400000,
  RegistrationIp1764460800000,
  IdempotencyKeys1764547200000,
  ScheduledJobs1764633600000,
  Spending1764720000000,
  RedeemCodes1764806400000,
  ChargeBatchFunction1764892800000,
  PromotionTiersFromZero1764979200000,
  LedgerOperatorEmailLength1765065600000,
  GatewayPlugins1765152000000,
  UsdtTrc201765238400000,
  OutboxEvents1765324800000,
  ChargeBatchLocksUsersByIndex1765411200000,
  AttentionIndex1765497600000,
  ReconcileFailedOrders1765584000000,
  IdempotencyLease1765670400000,
  RefundsFailingLater1765756800000,
  AccountClosing1765843200000,
  ClosedAccountsCannotSpend1765929600000,
  Campaigns1766016000000,
];
