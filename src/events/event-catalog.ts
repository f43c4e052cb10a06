/**
 * Every event the app publishes: its type, when it happens, and the JSON
 * Schema of its `data`, with an example. The AsyncAPI document
 * (/api/docs/events.json) and docs/events.md are written from this list,
 * and the tests check every emitted event against it.
 */

type JsonSchema = Record<string, unknown>;

const decimal = (description: string, example: string): JsonSchema => ({ type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description, example });
const id = (description: string): JsonSchema => ({ type: 'string', pattern: '^\\d+$', description });
const time = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
const nullable = (schema: JsonSchema): JsonSchema => ({ ...schema, type: [schema.type as string, 'null'] });
const text = (description: string): JsonSchema => ({ type: 'string', description });

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties };
}

/** The data of every order.* event: the order as it is after the change. */
const ORDER = object({
  orderNo: text('The order number'),
  status: { type: 'string', enum: ['pending', 'paid', 'expired', 'cancelled', 'failed', 'refunding', 'refunded'] },
  provider: text("The gateway's registered name (GET /api/payment/providers)"),
  method: nullable(text('The payment method the user chose, as the gateway names it')),
  amountCny: decimal('The order amount, CNY', '100.00'),
  amountUsd: decimal('What the payment credits, USD', '13.88888889'),
  bonusUsd: decimal('The bonus granted with the payment, USD', '0.00000000'),
  totalUsd: decimal('amountUsd + bonusUsd', '13.88888889'),
  payCurrency: text('The currency the payer is asked to pay in (CNY, USDT)'),
  payAmount: decimal('The amount the payer is asked to pay, in payCurrency', '100.00'),
  tradeNo: nullable(text("The gateway's transaction number")),
  createdAt: time('When the order was created'),
  expiresAt: time('When an unpaid order expires'),
  paidAt: nullable(time('When the payment was recorded')),
});

const ORDER_EXAMPLE = {
  orderNo: 'PO2026120612000065D23720CA495789',
  status: 'paid',
  provider: 'zpay',
  method: 'alipay',
  amountCny: '100.00',
  amountUsd: '13.88888889',
  bonusUsd: '0.00000000',
  totalUsd: '13.88888889',
  payCurrency: 'CNY',
  payAmount: '100.00',
  tradeNo: '2026120622001',
  createdAt: '2026-12-06T12:00:00.000Z',
  expiresAt: '2026-12-06T12:30:00.000Z',
  paidAt: '2026-12-06T12:01:10.000Z',
};

/** Every event type, in the order documented. */
export const EVENT_TYPES = [
  'order.created',
  'order.paid',
  'order.expired',
  'order.cancelled',
  'order.refunding',
  'order.refunded',
  'order.duplicate_payment',
  'balance.changed',
  'promotion.granted',
  'referral.rewarded',
  'referral.reversed',
  'charge.created',
  'charge.refunded',
  'hold.created',
  'hold.captured',
  'hold.released',
  'redeem.redeemed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventDefinition {
  type: EventType;
  /** When it is written. */
  when: string;
  data: JsonSchema;
  example: Record<string, unknown>;
}

const orderEvent = (type: EventType, when: string, status: string): EventDefinition => ({
  type,
  when,
  data: ORDER,
  example: { ...ORDER_EXAMPLE, status, ...(status === 'pending' || status === 'expired' || status === 'cancelled' ? { paidAt: null, tradeNo: null } : {}) },
});

export const EVENT_CATALOG: readonly EventDefinition[] = [
  orderEvent('order.created', 'A user created a payment order.', 'pending'),
  orderEvent(
    'order.paid',
    'The payment of an order was verified (callback, poll, reconciliation or an admin) and credited; or a refund the gateway had ' +
      'confirmed failed later, and the order is paid again (no new money: the refund was given back, as its balance.changed says).',
    'paid',
  ),
  orderEvent('order.expired', 'An unpaid order passed its expiry, or the gateway closed its session.', 'expired'),
  orderEvent('order.cancelled', 'The user cancelled an unpaid order.', 'cancelled'),
  orderEvent('order.refunding', 'A refund through the gateway started: the user was debited, the gateway is asked.', 'refunding'),
  orderEvent('order.refunded', 'The refund is done (confirmed by the gateway, or recorded by an admin).', 'refunded'),
  {
    type: 'order.duplicate_payment',
    when: 'A second payment arrived for an order whose payment stands. It is not credited; an admin refunds it at the gateway.',
    data: object({
      orderNo: text('The order number'),
      status: text("The order's status"),
      provider: text('The gateway'),
      tradeNo: nullable(text("The second payment's transaction number")),
      amount: decimal('What the second payment paid, in currency', '100.00'),
      currency: text('The currency of the second payment'),
    }),
    example: { orderNo: 'PO2026120612000065D23720CA495789', status: 'paid', provider: 'zpay', tradeNo: '2026120622002', amount: '100.00', currency: 'CNY' },
  },
  {
    type: 'balance.changed',
    when: "A ledger row was written: every change of a user's balance, in the same order as the ledger.",
    data: object({
      entryId: id('The ledger row'),
      type: { type: 'string', enum: ['payment', 'promotion', 'referral', 'redeem', 'deduct', 'refund', 'admin'] },
      amount: decimal('Signed: > 0 credits, < 0 debits (USD)', '13.88888889'),
      balanceBefore: decimal('USD', '0.00000000'),
      balanceAfter: decimal('USD', '13.88888889'),
      relatedId: nullable(text('What caused it: an order number, a charge id, an invitee id, …')),
    }),
    example: { entryId: '1042', type: 'payment', amount: '13.88888889', balanceBefore: '0.00000000', balanceAfter: '13.88888889', relatedId: 'PO2026120612000065D23720CA495789' },
  },
  {
    type: 'promotion.granted',
    when: "A campaign's bonus was granted with a payment (one event per campaign; the new-user bonus is one of them).",
    data: object({
      orderNo: text('The paid order'),
      campaignId: nullable(id('The campaign that paid it')),
      tier: nullable({ type: 'integer', minimum: 0 }),
      percent: nullable({ type: 'number', exclusiveMinimum: 0, maximum: 100 }),
      bonusUsd: decimal('USD', '4.16666667'),
    }),
    example: { orderNo: 'PO2026120612000065D23720CA495789', campaignId: '1', tier: 0, percent: 30, bonusUsd: '4.16666667' },
  },
  {
    type: 'referral.rewarded',
    when: "An invitee's payments reached the qualifying amount: their referrer (this event's user) was rewarded.",
    data: object({ inviteeId: id('The invited user'), rewardUsd: decimal('USD', '10.00000000') }),
    example: { inviteeId: '77', rewardUsd: '10.00000000' },
  },
  {
    type: 'referral.reversed',
    when: "A refund took the invitee below the qualifying amount: the referrer's (this event's user's) reward was taken back.",
    data: object({
      inviteeId: id('The invited user'),
      orderNo: text('The refunded order'),
      takenUsd: decimal('What the balance allowed to take back, USD', '10.00000000'),
      shortfallUsd: decimal('What could not be taken back, USD', '0.00000000'),
    }),
    example: { inviteeId: '77', orderNo: 'PO2026120612000065D23720CA495789', takenUsd: '10.00000000', shortfallUsd: '0.00000000' },
  },
  {
    type: 'charge.created',
    when: 'A service charged the balance (POST /api/v1/charges, or a hold captured).',
    data: object({
      chargeId: id('The charge'),
      amountUsd: decimal('USD', '1.50000000'),
      description: text("The caller's description"),
      metadata: { type: ['object', 'null'], description: "The caller's metadata" },
      apiKeyId: nullable(id('The API key that charged')),
      holdId: nullable(id('The hold it captured')),
      balanceAfter: decimal('USD', '12.38888889'),
    }),
    example: { chargeId: '501', amountUsd: '1.50000000', description: 'GPU minutes', metadata: { job: 'j-1' }, apiKeyId: '3', holdId: null, balanceAfter: '12.38888889' },
  },
  {
    type: 'charge.refunded',
    when: 'A charge was refunded, in full or in part.',
    data: object({
      chargeId: id('The charge'),
      refundId: id('This refund'),
      amountUsd: decimal('This refund, USD', '0.50000000'),
      refundedUsd: decimal("The charge's refunds so far, USD", '0.50000000'),
      balanceAfter: decimal('USD', '12.88888889'),
    }),
    example: { chargeId: '501', refundId: '12', amountUsd: '0.50000000', refundedUsd: '0.50000000', balanceAfter: '12.88888889' },
  },
  {
    type: 'hold.created',
    when: 'A service reserved part of the balance.',
    data: object({
      holdId: id('The hold'),
      amountUsd: decimal('USD', '5.00000000'),
      description: text("The caller's description"),
      apiKeyId: nullable(id('The API key')),
      expiresAt: time('When it is released unless captured'),
    }),
    example: { holdId: '88', amountUsd: '5.00000000', description: 'session', apiKeyId: '3', expiresAt: '2026-12-06T12:15:00.000Z' },
  },
  {
    type: 'hold.captured',
    when: 'A hold was captured: one charge of at most its amount (see charge.created), the rest given back.',
    data: object({ holdId: id('The hold'), amountUsd: decimal('What it reserved, USD', '5.00000000'), capturedUsd: decimal('USD', '3.20000000'), chargeId: id('The charge') }),
    example: { holdId: '88', amountUsd: '5.00000000', capturedUsd: '3.20000000', chargeId: '502' },
  },
  {
    type: 'hold.released',
    when: 'A hold was released by the service, or expired: its amount is available again.',
    data: object({ holdId: id('The hold'), amountUsd: decimal('USD', '5.00000000'), reason: { type: 'string', enum: ['released', 'expired'] } }),
    example: { holdId: '88', amountUsd: '5.00000000', reason: 'released' },
  },
  {
    type: 'redeem.redeemed',
    when: 'The user redeemed a code.',
    data: object({ redemptionId: id('The redemption'), batchId: id("The code's batch"), codeLast4: text("The code's last four characters"), amountUsd: decimal('USD', '20.00000000') }),
    example: { redemptionId: '9', batchId: '2', codeLast4: 'K7QX', amountUsd: '20.00000000' },
  },
];

/** The envelope every sink delivers: the same JSON on RabbitMQ and in a webhook's body. */
export interface EventEnvelope {
  /** Unique per event (UUID): a consumer de-duplicates by it. */
  id: string;
  type: string;
  occurredAt: string;
  userId: string;
  /** The user's events are numbered 1, 2, 3, … in the order their changes committed. */
  sequence: number;
  data: Record<string, unknown>;
}

export const ENVELOPE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'occurredAt', 'userId', 'sequence', 'data'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'Unique per event: de-duplicate by it (delivery is at least once)' },
    type: { type: 'string', enum: EVENT_TYPES },
    occurredAt: time('When the change happened'),
    userId: id('The user whose money or order it is'),
    sequence: { type: 'integer', minimum: 1, description: "The user's events are numbered 1, 2, 3, … in commit order: order by it, and a gap means one is still to come" },
    data: { type: 'object' },
  },
};
