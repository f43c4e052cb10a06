import { http } from './client';
import { withIdempotencyKey } from './http';
import type {
  AdminProvider,
  AdminInvitePage,
  AdminInviteQuery,
  AdminLedgerQuery,
  AdminUser,
  AdminUserPage,
  AdminUserQuery,
  PromotionStats,
  PromotionStatsQuery,
  UserStatusChangeRequest,
  ApiKey,
  CreateApiKeyRequest,
  CreatedApiKey,
  CreatedRedeemBatch,
  CreateRedeemBatchRequest,
  RedeemBatch,
  RedeemBatchPage,
  RedeemBatchQuery,
  AdminOrderDetail,
  AdminOrderPage,
  AdminOrderQuery,
  AuditReport,
  BalanceAdjustmentRequest,
  ConfirmOrderRequest,
  PaymentStats,
  RechargeRecord,
  AdminRechargeRecordPage,
  RefundOrderRequest,
  RefundResult,
  ResolveDuplicatesRequest,
  ResolveRefundRequest,
  ResolveUnmatchedPaymentRequest,
  UnmatchedPayment,
  UnmatchedPaymentPage,
  UnmatchedPaymentQuery,
} from './types';
import type { DownloadedFile } from './http';
import type { Campaign, CreateCampaignRequest, UpdateCampaignRequest } from './types';
import type { ClosedAccount, CloseAccountRequest } from './types';
import type { AdminLedgerExportQuery, AdminOrderExportQuery, AuditLogPage, AuditLogQuery } from './types';
import type {
  CreatedWebhookEndpoint,
  CreateWebhookEndpointRequest,
  UpdateWebhookEndpointRequest,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookDeliveryQuery,
  WebhookEndpoint,
} from './types';

/** Admin API: every call answers 403 to a non-admin. */

/** Every registered gateway, enabled or not, with whether it is configured and refunds through its API. */
export function getAdminProviders(): Promise<AdminProvider[]> {
  return http.get<AdminProvider[]>('/admin/payment/providers');
}

export function listAdminOrders(query: AdminOrderQuery = {}): Promise<AdminOrderPage> {
  return http.get<AdminOrderPage>('/admin/payment/orders', { query });
}

/** The order with its raw gateway callback, its ledger rows, the gateway events and its refunds. */
export function getAdminOrder(orderNo: string, signal?: AbortSignal): Promise<AdminOrderDetail> {
  return http.get<AdminOrderDetail>(`/admin/payment/orders/${encodeURIComponent(orderNo)}`, { signal });
}

/**
 * Any unpaid order (pending, expired, cancelled, failed) → paid, as a webhook
 * would (409 ADMIN_ORDER_CANNOT_CONFIRM otherwise). grantBonus: true grants the
 * new-user bonus even though the payment came after the bonus window.
 */
export function confirmAdminOrder(orderNo: string, body: ConfirmOrderRequest): Promise<AdminOrderDetail> {
  return http.post<AdminOrderDetail>(`/admin/payment/orders/${encodeURIComponent(orderNo)}/confirm`, body);
}

/**
 * Paid → refunded (200), or → refunding (202: the gateway has not confirmed
 * yet and a background job finishes it; told apart by `order.status`, as the
 * two answers share one body). Debits the user and reverses the invite reward.
 * 409 ADMIN_REFUND_BALANCE_TOO_LOW when the balance no longer covers it (resend
 * with force: true), 409 ADMIN_ORDER_CANNOT_REFUND, 502
 * ADMIN_REFUND_GATEWAY_FAILED (the gateway refused: the order is paid again
 * and everything taken was given back).
 */
export function refundAdminOrder(orderNo: string, body: RefundOrderRequest): Promise<RefundResult> {
  return http.post<RefundResult>(`/admin/payment/orders/${encodeURIComponent(orderNo)}/refund`, body);
}

/**
 * Records that the order's payments an admin had to deal with (webhook events
 * with outcome duplicate_payment, underpaid or overpaid, never credited) were
 * dealt with: refunded in the gateway's own console, or accepted by confirming
 * the order by hand; nothing is sent to the gateway. Answers the fresh detail.
 * 409 PAYMENT_NO_DUPLICATE_PAYMENT when none is left unresolved.
 */
export function resolveDuplicatePayments(orderNo: string, body: ResolveDuplicatesRequest): Promise<AdminOrderDetail> {
  return http.post<AdminOrderDetail>(`/admin/payment/orders/${encodeURIComponent(orderNo)}/duplicate-payments/resolve`, body);
}

/**
 * Payments gateways reported that match no order (a transfer of an amount no
 * order asked for), newest first; never credited. `resolved`: 'false' only the
 * open ones, 'true' only those dealt with, absent every one.
 */
export function listUnmatchedPayments(query: UnmatchedPaymentQuery = {}): Promise<UnmatchedPaymentPage> {
  return http.get<UnmatchedPaymentPage>('/admin/payment/unmatched-payments', { query });
}

/**
 * Records that an unmatched payment was dealt with outside (sent back, or
 * credited to the payer by a balance adjustment); audited with the remark.
 * Answers the payment, now resolved. 404 when it is not open (unknown, or resolved already).
 */
export function resolveUnmatchedPayment(provider: string, eventId: string, body: ResolveUnmatchedPaymentRequest): Promise<UnmatchedPayment> {
  return http.post<UnmatchedPayment>(
    `/admin/payment/unmatched-payments/${encodeURIComponent(provider)}/${encodeURIComponent(eventId)}/resolve`,
    body,
  );
}

/**
 * Settles the refund of a refunding order the gateway never confirmed, as the
 * gateway's own console shows it: refunded → the order is refunded;
 * not_refunded → reversed as a refusal would be (the order is paid again, the
 * user and the referrer get back what was taken). Answers the fresh detail.
 * 409 PAYMENT_NO_REFUND_UNDER_WAY when the order has no refund under way.
 */
export function resolveRefund(orderNo: string, body: ResolveRefundRequest): Promise<AdminOrderDetail> {
  return http.post<AdminOrderDetail>(`/admin/payment/orders/${encodeURIComponent(orderNo)}/refund/resolve`, body);
}

export function getPaymentStats(): Promise<PaymentStats> {
  return http.get<PaymentStats>('/admin/payment/stats');
}

/** Every user's ledger rows, newest first. */
export function listAdminRechargeRecords(query: AdminLedgerQuery = {}): Promise<AdminRechargeRecordPage> {
  return http.get<AdminRechargeRecordPage>('/admin/recharge-records', { query });
}

/**
 * A signed credit/debit (ledger type admin); the answer's balanceAfter is the user's new balance.
 * Sent with an Idempotency-Key (a new one unless given): resending one submission with its key is
 * applied once. 409 LEDGER_INSUFFICIENT_BALANCE, 404 LEDGER_USER_NOT_FOUND.
 */
export function adjustBalance(userId: string, body: BalanceAdjustmentRequest, idempotencyKey?: string): Promise<RechargeRecord> {
  return http.post<RechargeRecord>(
    `/admin/users/${encodeURIComponent(userId)}/balance-adjustments`,
    body,
    withIdempotencyKey({}, idempotencyKey),
  );
}

/**
 * Users, newest first: `q` is part of an email or username (a number also finds the user with
 * that id), filtered by status and role.
 */
export function listAdminUsers(query: AdminUserQuery = {}): Promise<AdminUserPage> {
  return http.get<AdminUserPage>('/admin/users', { query });
}

/**
 * Disables or re-enables an account (audited, with a required remark); answers the updated user.
 * A disabled user is refused from their next request. 409 ADMIN_CANNOT_DISABLE_SELF for the admin's
 * own account, 404 for no such user.
 */
export function setAdminUserStatus(userId: string, body: UserStatusChangeRequest): Promise<AdminUser> {
  return http.post<AdminUser>(`/admin/users/${encodeURIComponent(userId)}/status`, body);
}

/**
 * Closes an account for good (audited, with a required remark): pending orders cancelled, holds
 * released, personal data replaced by a tombstone; the balance left is recorded, not paid out.
 * 409 USER_ACCOUNT_CLOSED when already closed, USER_ADMIN_NOT_CLOSABLE for an admin's account.
 */
export function closeAdminUser(userId: string, body: CloseAccountRequest): Promise<ClosedAccount> {
  return http.post<ClosedAccount>(`/admin/users/${encodeURIComponent(userId)}/close`, body);
}

/** New-user bonuses granted in [from, to) by tier (numbered from 0), their total, and promotions by status. */
export function getPromotionStats(query: PromotionStatsQuery = {}): Promise<PromotionStats> {
  return http.get<PromotionStats>('/admin/promotions/stats', { query });
}

/** Invites, newest first, with the invitee's paid total and the referrer's reward. */
export function listAdminInvites(query: AdminInviteQuery = {}): Promise<AdminInvitePage> {
  return http.get<AdminInvitePage>('/admin/referrals', { query });
}

/** Runs the ledger invariant checks (docs/ledger-invariants.md). */
export function runLedgerAudit(): Promise<AuditReport> {
  return http.get<AuditReport>('/admin/audit');
}

/**
 * Creates a batch of redeem codes (201). The answer is the only place the codes
 * ever appear (they are stored hashed): show them and let the admin keep them.
 */
export function createRedeemBatch(body: CreateRedeemBatchRequest): Promise<CreatedRedeemBatch> {
  return http.post<CreatedRedeemBatch>('/admin/redeem-codes', body);
}

/** Redeem-code batches, newest first, with their usage. */
export function listRedeemBatches(query: RedeemBatchQuery = {}): Promise<RedeemBatchPage> {
  return http.get<RedeemBatchPage>('/admin/redeem-batches', { query });
}

/** No code of the batch can be redeemed from now on; answers the batch. 404 REDEEM_BATCH_NOT_FOUND. */
export function disableRedeemBatch(id: string): Promise<RedeemBatch> {
  return http.post<RedeemBatch>(`/admin/redeem-batches/${encodeURIComponent(id)}/disable`);
}

/** API keys, newest first (never the keys themselves). */
export function listApiKeys(): Promise<ApiKey[]> {
  return http.get<ApiKey[]>('/admin/api-keys');
}

/** Creates an API key (201); `key`, the secret, is in this answer only. */
export function createApiKey(body: CreateApiKeyRequest): Promise<CreatedApiKey> {
  return http.post<CreatedApiKey>('/admin/api-keys', body);
}

/** Calls with the key are refused from now on; answers the key's row. 404 API_KEY_NOT_FOUND. */
export function revokeApiKey(id: string): Promise<ApiKey> {
  return http.request<ApiKey>('DELETE', `/admin/api-keys/${encodeURIComponent(id)}`);
}

/** Webhook endpoints, newest first, with their deliveries counted (pending, failed, delivered); never the secrets. */
export function listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
  return http.get<WebhookEndpoint[]>('/admin/webhook-endpoints');
}

/** One endpoint with fresh counts. 404 WEBHOOK_ENDPOINT_NOT_FOUND. */
export function getWebhookEndpoint(id: string): Promise<WebhookEndpoint> {
  return http.get<WebhookEndpoint>(`/admin/webhook-endpoints/${encodeURIComponent(id)}`);
}

/**
 * Registers an endpoint (201); `secret`, which signs its deliveries, is in this answer only.
 * 400 WEBHOOK_ENDPOINT_URL_REFUSED with `details.reason` (not_a_url, scheme, credentials, https_required, private_address),
 * WEBHOOK_UNKNOWN_EVENT_TYPE, or VALIDATION_FAILED with one message per invalid field.
 */
export function createWebhookEndpoint(body: CreateWebhookEndpointRequest): Promise<CreatedWebhookEndpoint> {
  return http.post<CreatedWebhookEndpoint>('/admin/webhook-endpoints', body);
}

/**
 * Changes the URL, event types, description or whether it is enabled (the fields sent); answers
 * the endpoint. A disabled endpoint gets no new events and keeps its pending deliveries until enabled again.
 */
export function updateWebhookEndpoint(id: string, body: UpdateWebhookEndpointRequest): Promise<WebhookEndpoint> {
  return http.request<WebhookEndpoint>('PATCH', `/admin/webhook-endpoints/${encodeURIComponent(id)}`, { body });
}

/** A new signing secret, in this answer only; deliveries are signed with it at once, and with the old one too for 24 hours. */
export function rotateWebhookSecret(id: string): Promise<CreatedWebhookEndpoint> {
  return http.post<CreatedWebhookEndpoint>(`/admin/webhook-endpoints/${encodeURIComponent(id)}/rotate-secret`);
}

/** Deletes the endpoint and its deliveries; answers the endpoint as it was. */
export function deleteWebhookEndpoint(id: string): Promise<WebhookEndpoint> {
  return http.request<WebhookEndpoint>('DELETE', `/admin/webhook-endpoints/${encodeURIComponent(id)}`);
}

/**
 * An endpoint's deliveries, newest first, narrowed by status, event type, event id and user.
 * 400 VALIDATION_FAILED (one message per bad filter) for an unknown status or type, an event id
 * that is not a UUID or a user id that is not one.
 */
export function listWebhookDeliveries(id: string, query: WebhookDeliveryQuery = {}): Promise<WebhookDeliveryPage> {
  return http.get<WebhookDeliveryPage>(`/admin/webhook-endpoints/${encodeURIComponent(id)}/deliveries`, { query });
}

/**
 * Sends a delivery again now, whatever its status (the same event, the same id), with a new retry
 * window; answers it, pending again. 404 WEBHOOK_DELIVERY_NOT_FOUND; 409 WEBHOOK_ENDPOINT_DISABLED
 * while the endpoint is disabled (enable it first).
 */
export function resendWebhookDelivery(id: string, deliveryId: string): Promise<WebhookDelivery> {
  return http.post<WebhookDelivery>(
    `/admin/webhook-endpoints/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`,
  );
}

/** Every campaign, newest first, with what it paid out (spentUsd, orders, users). */
export function listCampaigns(): Promise<Campaign[]> {
  return http.get<Campaign[]>('/admin/campaigns');
}

/**
 * Creates a campaign (201, audited). 400 VALIDATION_FAILED names each problem (an unknown condition or
 * action type, a percent outside (0, 100], a negative amount, endsAt not after startsAt).
 */
export function createCampaign(body: CreateCampaignRequest): Promise<Campaign> {
  return http.post<Campaign>('/admin/campaigns', body);
}

/**
 * Changes a campaign that has not started (the fields sent; audited). 409 CAMPAIGN_NOT_EDITABLE once it
 * is no longer scheduled, CAMPAIGN_SEEDED_RULES for the new-user bonus (its rules are configuration).
 */
export function updateCampaign(id: string, body: UpdateCampaignRequest): Promise<Campaign> {
  return http.request<Campaign>('PATCH', `/admin/campaigns/${encodeURIComponent(id)}`, { body });
}

/** A scheduled or active campaign → paused: orders created meanwhile do not get it. 409 CAMPAIGN_TRANSITION_REFUSED otherwise. */
export function pauseCampaign(id: string): Promise<Campaign> {
  return http.post<Campaign>(`/admin/campaigns/${encodeURIComponent(id)}/pause`);
}

/** A paused campaign runs again. 409 CAMPAIGN_TRANSITION_REFUSED when it is not paused. */
export function resumeCampaign(id: string): Promise<Campaign> {
  return http.post<Campaign>(`/admin/campaigns/${encodeURIComponent(id)}/resume`);
}

/** Ends a campaign for good (orders created before keep what they were offered). 409 CAMPAIGN_TRANSITION_REFUSED when already ended. */
export function endCampaign(id: string): Promise<Campaign> {
  return http.post<Campaign>(`/admin/campaigns/${encodeURIComponent(id)}/end`);
}

/** What admins did, newest first (every change and every export, with the fields before and after). */
export function listAuditLogs(query: AuditLogQuery = {}): Promise<AuditLogPage> {
  return http.get<AuditLogPage>('/admin/audit-logs', { query });
}

/** A query without paging: the CSV exports answer 400 to page or pageSize. */
function withoutPaging<Q extends object>(query: Q): Omit<Q, 'page' | 'pageSize'> {
  const rest: Record<string, unknown> = { ...(query as Record<string, unknown>) };
  delete rest.page;
  delete rest.pageSize;
  return rest as Omit<Q, 'page' | 'pageSize'>;
}

/**
 * Every order the list's filters match, as a CSV file named by the server
 * (orders-<UTC time>.csv). Audited with its filters.
 */
export function exportAdminOrdersCsv(query: AdminOrderExportQuery = {}): Promise<DownloadedFile> {
  return http.getFile('/admin/payment/orders.csv', { query: withoutPaging(query) });
}

/** Every ledger row the global ledger's filters match, as a CSV file (ledger-<UTC time>.csv). Audited with its filters. */
export function exportAdminLedgerCsv(query: AdminLedgerExportQuery = {}): Promise<DownloadedFile> {
  return http.getFile('/admin/recharge-records.csv', { query: withoutPaging(query) });
}
