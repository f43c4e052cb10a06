/**
 * API shapes, as aliases of the types generated from the API's
 * own OpenAPI document (`npm run gen:api` → schema.d.ts; never edit that file).
 * Money is always a decimal string — never a JS number.
 */
import type { components, operations } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['UserRole'];
export type UserStatus = Schemas['UserStatus'];

/** The user as returned with a token by register / login. */
export type AuthUser = Schemas['SessionUserDto'];
export type AuthResponse = Schemas['SessionDto'];
export type RegisterRequest = Schemas['RegisterDto'];
export type LoginRequest = Schemas['LoginDto'];
/** GET /api/users/me — the user with `balance` (USD decimal string). */
export type UserProfile = Schemas['MeDto'];
export type Balance = Schemas['BalanceDto'];

// Payment
/**
 * A gateway's name and a method's name are plain strings: the gateways are
 * plug-ins the web app learns from GET /api/payment/providers, never a list of its own.
 */
export type ProviderName = string;
export type PaymentMethod = string;
/** An enabled gateway: its labels, methods and how the payer pays (`display`). */
export type Provider = Schemas['ProviderDto'];
export type ProviderLabels = Schemas['ProviderLabelsDto'];
/** redirect: open paymentUrl; qrcode: paymentUrl is QR code content; address: send payAmount payCurrency to payAddress. */
export type PaymentDisplay = Schemas['PaymentDisplay'];
/** Every registered gateway as admins see it, enabled or not (old orders of a switched-off one still exist). */
export type AdminProvider = Schemas['AdminProviderDto'];
export type RechargePackage = Schemas['PackageDto'];
export type PromotionPreview = Schemas['PromotionPreviewDto'];
export type PaymentConfig = Schemas['PaymentConfigDto'];
export type CreateOrderRequest = Schemas['CreateOrderDto'];
export type OrderDisplay = NonNullable<CreateOrderRequest['display']>;
export type OrderStatus = Schemas['OrderStatus'];
export type Order = Schemas['OrderDto'];
export type OrderPage = Schemas['OrderPageDto'];
export type OrderListQuery = NonNullable<operations['OrdersController_list']['parameters']['query']>;
/** A campaign that applies to an order (fixed when it is created), with the bonus it gives (USD). */
export type CampaignOffer = Schemas['CampaignOfferDto'];
/** GET /api/payment/offers?amountCny=: what an order of this amount created now would get. */
export type Offers = Schemas['OffersDto'];

// Promotion
export type PromotionStatus = Schemas['PromotionStatusDto'];
export type PromotionTier = Schemas['PromotionTierDto'];

// Ledger
export type LedgerType = Schemas['LedgerType'];
export type RechargeRecord = Schemas['RechargeRecordDto'];
export type RechargeRecordPage = Schemas['RechargeRecordPageDto'];
/** A ledger row as admins see it, with the user whose balance it changed. */
export type AdminRechargeRecordPage = Schemas['AdminRechargeRecordPageDto'];
export type RechargeRecordQuery = NonNullable<operations['UsersController_rechargeRecords']['parameters']['query']>;

// Referral
export type ReferralInfo = Schemas['ReferralInfoDto'];
export type InviteeStatus = Schemas['InviteeStatus'];
export type Invitee = Schemas['InviteeDto'];
export type InviteePage = Schemas['InviteePageDto'];
export type InviteeQuery = NonNullable<operations['ReferralsController_invitees']['parameters']['query']>;

// Campaigns (admins manage them; users see their offers)
export type Campaign = Schemas['CampaignDto'];
export type CampaignStatus = Schemas['CampaignStatus'];
export type CampaignStacking = Campaign['stacking'];
/** One condition of a campaign (all must hold). */
export type CampaignCondition = Campaign['conditions'][number];
export type CampaignConditionType = CampaignCondition['type'];
/** What a campaign gives. */
export type CampaignAction = Campaign['action'];
export type CampaignActionType = CampaignAction['type'];
export type CampaignTier = Extract<CampaignAction, { type: 'tiered_percent_bonus' }>['tiers'][number];
export type CreateCampaignRequest = Schemas['CreateCampaignDto'];
export type UpdateCampaignRequest = Schemas['UpdateCampaignDto'];

// Admin
export type AdminOrder = Schemas['AdminOrderDto'];
export type AdminOrderPage = Schemas['AdminOrderPageDto'];
export type AdminOrderQuery = NonNullable<operations['AdminPaymentsController_list']['parameters']['query']>;
export type AdminOrderDetail = Schemas['AdminOrderDetailDto'];
export type WebhookEvent = Schemas['WebhookEventDto'];
export type Refund = Schemas['RefundDto'];
export type RefundMethod = Schemas['RefundMethod'];
export type RefundStatus = Schemas['RefundStatus'];
export type ConfirmOrderRequest = Schemas['ConfirmOrderDto'];
export type RefundOrderRequest = Schemas['RefundOrderDto'];
export type RefundResult = Schemas['RefundResultDto'];
export type ResolveDuplicatesRequest = Schemas['ResolveDuplicatesDto'];
export type ResolveRefundRequest = Schemas['ResolveRefundDto'];
/** A payment a gateway reported that matches no order (outcome unmatched_payment): never credited. */
export type UnmatchedPayment = Schemas['UnmatchedPaymentDto'];
export type UnmatchedPaymentPage = Schemas['UnmatchedPaymentPageDto'];
export type UnmatchedPaymentQuery = NonNullable<operations['AdminPaymentsController_unmatchedPayments']['parameters']['query']>;
export type ResolveUnmatchedPaymentRequest = Schemas['ResolveUnmatchedPaymentDto'];
/** What the gateway's console shows for a refund it never confirmed. */
export type RefundOutcome = ResolveRefundRequest['outcome'];
export type AdminLedgerQuery = NonNullable<operations['AdminLedgerController_rechargeRecords']['parameters']['query']>;
export type BalanceAdjustmentRequest = Schemas['BalanceAdjustmentDto'];
export type AuditReport = Schemas['AuditReportDto'];
export type AuditViolation = Schemas['AuditViolationDto'];
export type PromotionStats = Schemas['PromotionStatsDto'];
/** Bonuses granted in one tier; tiers are numbered from 0 (the first window after registration). */
export type TierStats = Schemas['TierStatsDto'];
export type PromotionStatsQuery = NonNullable<operations['AdminGrowthController_promotionStats']['parameters']['query']>;
/** An invite as admins see it: both users, the invitee's paid total and the reward. */
export type AdminInvite = Schemas['AdminInviteDto'];
export type AdminInvitePage = Schemas['AdminInvitePageDto'];
export type AdminInviteQuery = NonNullable<operations['AdminGrowthController_invites']['parameters']['query']>;
/** A user as admins list them (the same shape as /users/me). */
export type AdminUser = Schemas['MeDto'];
export type AdminUserPage = Schemas['AdminUserPageDto'];
export type AdminUserQuery = NonNullable<operations['AdminUsersController_list']['parameters']['query']>;
export type UserStatusChangeRequest = Schemas['UserStatusChangeDto'];
/** What closing an account did (the user's own close and an admin's answer the same). */
export type ClosedAccount = Schemas['ClosedAccountDto'];
export type CloseAccountRequest = Schemas['CloseAccountDto'];
/** GET /api/users/me/export: the whole data export, downloaded as a file. */
export type AccountExport = Schemas['AccountExportDto'];
export type WindowTotals = Schemas['WindowTotalsDto'];
export type StatsWindow = WindowTotals['window'];
export type DailyTotals = Schemas['DailyTotalsDto'];
export type StatusCount = Schemas['StatusCountDto'];

// Admin audit log and CSV exports
/** One admin action: who, what, to which record, when, and the fields before and after it. */
export type AuditLog = Schemas['AuditLogDto'];
export type AuditLogPage = Schemas['AuditLogPageDto'];
export type AuditAction = Schemas['AuditAction'];
export type AuditTarget = Schemas['AuditTarget'];
export type AuditLogQuery = NonNullable<operations['AdminAuditLogsController_list']['parameters']['query']>;
/** The order list's filters without paging (the export refuses page / pageSize with a 400). */
export type AdminOrderExportQuery = NonNullable<operations['AdminPaymentsController_exportOrders']['parameters']['query']>;
/** The global ledger's filters without paging. */
export type AdminLedgerExportQuery = NonNullable<operations['AdminLedgerController_exportRechargeRecords']['parameters']['query']>;

// Redeem codes (a user redeems; admins create batches of codes)
export type RedeemCodeRequest = Schemas['RedeemCodeDto'];
/** POST /api/users/redeem: what the code added and the balance right after (USD decimal strings). */
export type RedeemResult = Schemas['RedeemResultDto'];
export type CreateRedeemBatchRequest = Schemas['CreateRedeemBatchDto'];
/** 201 of POST /api/admin/redeem-codes: the only answer that carries the codes. */
export type CreatedRedeemBatch = Schemas['CreatedRedeemBatchDto'];
export type RedeemBatch = Schemas['RedeemBatchDto'];
export type RedeemBatchStatus = RedeemBatch['status'];
export type RedeemBatchPage = Schemas['RedeemBatchPageDto'];
export type RedeemBatchQuery = NonNullable<operations['AdminRedeemController_listBatches']['parameters']['query']>;

// API keys for the service API (/api/v1)
export type CreateApiKeyRequest = Schemas['CreateApiKeyDto'];
export type ApiKeyScope = CreateApiKeyRequest['scopes'][number];
/** An API key as listed (never the key itself). */
export type ApiKey = Schemas['ApiKeyDto'];
/** 201 of POST /api/admin/api-keys: the row plus `key`, the secret, in this answer only. */
export type CreatedApiKey = Schemas['CreatedApiKeyDto'];

// Webhook endpoints: integrators' URLs the app POSTs its events to, signed with each one's secret
export type CreateWebhookEndpointRequest = Schemas['CreateWebhookEndpointDto'];
export type UpdateWebhookEndpointRequest = Schemas['UpdateWebhookEndpointDto'];
/** An event type (what a delivery carries, and what the deliveries can be narrowed to). */
export type WebhookEventType = Schemas['EventType'];
/** What an endpoint subscribes to: an event type, or '*' for every type (also those added later). */
export type WebhookEventTypeChoice = Schemas['WebhookEventTypeChoice'];
/** An endpoint as listed, with its deliveries counted (never its secret). */
export type WebhookEndpoint = Schemas['WebhookEndpointDto'];
/** 201 of POST /api/admin/webhook-endpoints and 200 of rotate-secret: the endpoint plus `secret`, in this answer only. */
export type CreatedWebhookEndpoint = Schemas['CreatedWebhookEndpointDto'];
export type WebhookDelivery = Schemas['WebhookDeliveryDto'];
export type WebhookDeliveryStatus = WebhookDelivery['status'];
export type WebhookDeliveryPage = Schemas['WebhookDeliveryPageDto'];
export type WebhookDeliveryQuery = NonNullable<operations['AdminWebhookEndpointsController_deliveries']['parameters']['query']>;

/** GET /api/admin/payment/stats. */
export type PaymentStats = Schemas['PaymentStatsDto'];

/** Every list answer: `{items, total, page, pageSize}`. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * The error body every API error answers with. Not in the OpenAPI document
 * (the API declares error responses without a schema), so written by hand
 * after src/common/errors/all-exceptions.filter.ts.
 */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /** A list of field errors for some 400s. */
  message: string | string[];
  requestId: string;
  code?: string;
  /** More about some errors, e.g. `available` for 402 INSUFFICIENT_BALANCE. */
  details?: Record<string, unknown>;
}

/** Every ledger type, in display order (a Record, so a new type in the API fails type-checking here). */
const LEDGER_TYPE_TABLE: Record<LedgerType, true> = {
  payment: true,
  promotion: true,
  referral: true,
  redeem: true,
  admin: true,
  deduct: true,
  refund: true,
};
export const LEDGER_TYPES = Object.keys(LEDGER_TYPE_TABLE) as LedgerType[];

/**
 * Statuses after which polling stops. Expired and cancelled orders are still
 * credited if a payment arrives later, but nothing the user waits for happens
 * on its own; refunding is not final (a background job finishes it).
 */
export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['paid', 'expired', 'cancelled', 'failed', 'refunded'];

/** Every order status, in lifecycle order (a Record, so a new status fails type-checking here). */
const ORDER_STATUS_TABLE: Record<OrderStatus, true> = {
  pending: true,
  paid: true,
  expired: true,
  cancelled: true,
  failed: true,
  refunding: true,
  refunded: true,
};
export const ORDER_STATUSES = Object.keys(ORDER_STATUS_TABLE) as OrderStatus[];

/** Refund methods and states (Records, so a new value in the API fails type-checking here). */
const REFUND_METHOD_TABLE: Record<RefundMethod, true> = { gateway: true, manual: true, external: true };
export const REFUND_METHODS = Object.keys(REFUND_METHOD_TABLE) as RefundMethod[];
const REFUND_STATUS_TABLE: Record<RefundStatus, true> = { pending: true, succeeded: true, reversed: true, failed: true };
export const REFUND_STATUSES = Object.keys(REFUND_STATUS_TABLE) as RefundStatus[];

/** Redeem-batch states and API-key scopes (Records, so a new value in the API fails type-checking here). */
const REDEEM_BATCH_STATUS_TABLE: Record<RedeemBatchStatus, true> = { active: true, disabled: true, expired: true };
export const REDEEM_BATCH_STATUSES = Object.keys(REDEEM_BATCH_STATUS_TABLE) as RedeemBatchStatus[];
const API_KEY_SCOPE_TABLE: Record<ApiKeyScope, true> = { 'charges:write': true, 'balances:read': true };
export const API_KEY_SCOPES = Object.keys(API_KEY_SCOPE_TABLE) as ApiKeyScope[];

/** Every event type an endpoint can subscribe to, in the API's order (a Record, so a new type in the API fails type-checking here). */
const WEBHOOK_EVENT_TYPE_TABLE: Record<WebhookEventType, true> = {
  'order.created': true,
  'order.paid': true,
  'order.expired': true,
  'order.cancelled': true,
  'order.refunding': true,
  'order.refunded': true,
  'order.duplicate_payment': true,
  'balance.changed': true,
  'promotion.granted': true,
  'referral.rewarded': true,
  'referral.reversed': true,
  'charge.created': true,
  'charge.refunded': true,
  'hold.created': true,
  'hold.captured': true,
  'hold.released': true,
  'redeem.redeemed': true,
};
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENT_TYPE_TABLE) as WebhookEventType[];
/** The subscription to every event type. */
export const ALL_WEBHOOK_EVENTS = '*' satisfies WebhookEventTypeChoice;
const WEBHOOK_DELIVERY_STATUS_TABLE: Record<WebhookDeliveryStatus, true> = { pending: true, delivered: true, failed: true };
export const WEBHOOK_DELIVERY_STATUSES = Object.keys(WEBHOOK_DELIVERY_STATUS_TABLE) as WebhookDeliveryStatus[];

/** Account states, roles and invitee states (Records, so a new value in the API fails type-checking here). */
const USER_STATUS_TABLE: Record<UserStatus, true> = { active: true, disabled: true, closed: true };
export const USER_STATUSES = Object.keys(USER_STATUS_TABLE) as UserStatus[];
const ROLE_TABLE: Record<Role, true> = { user: true, admin: true };
export const ROLES = Object.keys(ROLE_TABLE) as Role[];
const INVITEE_STATUS_TABLE: Record<InviteeStatus, true> = { registered: true, qualified: true, rewarded: true };
export const INVITEE_STATUSES = Object.keys(INVITEE_STATUS_TABLE) as InviteeStatus[];

/** An admin may confirm any order whose payment does not stand yet, and refund only a paid one. */
export const CONFIRMABLE_ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'expired', 'cancelled', 'failed'];
export const REFUNDABLE_ORDER_STATUSES: readonly OrderStatus[] = ['paid'];

/** Webhook event outcomes the API names (the field is a plain string: unknown ones are shown raw). */
export const WEBHOOK_OUTCOMES = [
  'credited',
  'failed',
  'expired',
  'duplicate_payment',
  'refunded',
  'refund_confirmed',
  'refund_pending',
  'refund_still_pending',
  'refund_reversed',
  'refund_failed',
  'unknown_refund',
  'partial_refund',
  'no_change',
  'underpaid',
  'overpaid',
  'unmatched_payment',
] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * Gateway news on an order that an admin must deal with and then mark
 * resolved: payments that were not credited (a second payment, or one of
 * another amount than the order asked for: refund at the gateway, or confirm
 * the order by hand), and a refund the gateway failed after confirming it
 * (the order is paid again: refund again, or settle with the customer).
 */
export const ATTENTION_OUTCOMES: readonly WebhookOutcome[] = ['duplicate_payment', 'underpaid', 'overpaid', 'refund_failed'];
/** A payment of another amount than the order asked for (less, more). */
export const WRONG_AMOUNT_OUTCOMES: readonly WebhookOutcome[] = ['underpaid', 'overpaid'];

/** Every audited action and target kind, in display order (Records, so a new value in the API fails type-checking here). */
const AUDIT_ACTION_TABLE: Record<AuditAction, true> = {
  'user.status': true,
  'user.close': true,
  'balance.adjust': true,
  'order.confirm': true,
  'order.refund': true,
  'order.refund_recorded': true,
  'order.refund_resolved': true,
  'order.duplicate_resolved': true,
  'order.refund_failed': true,
  'payment.unmatched_resolved': true,
  'orders.export': true,
  'ledger.export': true,
  'api_key.create': true,
  'api_key.revoke': true,
  'redeem_batch.create': true,
  'redeem_batch.disable': true,
  'webhook_endpoint.create': true,
  'webhook_endpoint.update': true,
  'webhook_endpoint.rotate_secret': true,
  'webhook_endpoint.delete': true,
  'webhook_delivery.resend': true,
  'campaign.create': true,
  'campaign.update': true,
  'campaign.pause': true,
  'campaign.resume': true,
  'campaign.end': true,
};
export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_TABLE) as AuditAction[];
const AUDIT_TARGET_TABLE: Record<AuditTarget, true> = {
  user: true,
  payment_order: true,
  payment_event: true,
  api_key: true,
  redeem_batch: true,
  webhook_endpoint: true,
  campaign: true,
  export: true,
};
export const AUDIT_TARGETS = Object.keys(AUDIT_TARGET_TABLE) as AuditTarget[];

/** Campaign states, stackings, condition and action types (Records, so a new value in the API fails type-checking here). */
const CAMPAIGN_STATUS_TABLE: Record<CampaignStatus, true> = { scheduled: true, active: true, paused: true, ended: true };
export const CAMPAIGN_STATUSES = Object.keys(CAMPAIGN_STATUS_TABLE) as CampaignStatus[];
const CAMPAIGN_STACKING_TABLE: Record<CampaignStacking, true> = { exclusive: true, stackable: true };
export const CAMPAIGN_STACKINGS = Object.keys(CAMPAIGN_STACKING_TABLE) as CampaignStacking[];
const CAMPAIGN_CONDITION_TYPE_TABLE: Record<CampaignConditionType, true> = {
  min_amount: true,
  registered_within: true,
  registered_before: true,
  first_paid_order: true,
};
export const CAMPAIGN_CONDITION_TYPES = Object.keys(CAMPAIGN_CONDITION_TYPE_TABLE) as CampaignConditionType[];
const CAMPAIGN_ACTION_TYPE_TABLE: Record<CampaignActionType, true> = { percent_bonus: true, tiered_percent_bonus: true, fixed_bonus: true };
export const CAMPAIGN_ACTION_TYPES = Object.keys(CAMPAIGN_ACTION_TYPE_TABLE) as CampaignActionType[];
