import type { AddressInfo } from 'node:net';
import { Controller, Get, HttpCode, Logger, Param, Post, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/http/public.decorator';
import { OrdersService } from '../../orders.service';
import { UNPAID_STATES } from '../../order-lifecycle';
import { PaymentOrder } from '../../payment-order.entity';
import { PaymentsException } from '../../payments.errors';
import { SandboxProvider } from './sandbox.provider';
import { NoRateLimit } from '../../../common/http/throttler.guard';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The sandbox gateway's checkout page. Anyone holding the (unguessable)
 * payment URL can pay or fail the order, as on a real gateway's page; it
 * exists only while the sandbox is enabled.
 */
@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller('payment/sandbox/checkout')
export class SandboxCheckoutController {
  private readonly logger = new Logger(SandboxCheckoutController.name);

  constructor(
    private readonly sandbox: SandboxProvider,
    private readonly orders: OrdersService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get(':orderNo')
  async page(@Param('orderNo') orderNo: string, @Res() reply: FastifyReply) {
    const order = await this.sandboxOrder(orderNo);
    // Like a real QR code that was already scanned: any unpaid order can still be paid, and is then credited.
    const open = UNPAID_STATES.includes(order.status);
    const action = `/api/payment/sandbox/checkout/${encodeURIComponent(order.orderNo)}`;
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox checkout · ${escapeHtml(order.orderNo)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5fb;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:16px;box-shadow:0 4px 24px #0001;padding:28px;max-width:380px;width:calc(100% - 32px)}
h1{font-size:18px;margin:0 0 4px}.note{color:#666;font-size:13px;margin:0 0 20px}
.amount{font-size:36px;font-weight:700;margin:8px 0}dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;font-size:14px}
dt{color:#666}dd{margin:0;word-break:break-all}form{display:inline}.actions{display:flex;gap:12px;margin-top:24px}
button{flex:1;padding:12px;border-radius:10px;border:0;font-size:16px;cursor:pointer}
.pay{background:#4f46e5;color:#fff}.fail{background:#eee;color:#333}
</style></head><body><main>
<h1>Sandbox checkout</h1><p class="note">A stand-in for a real gateway: no money moves.</p>
<div class="amount" data-testid="sandbox-amount">¥${escapeHtml(order.amountCny)}</div>
<dl><dt>Order</dt><dd data-testid="sandbox-order">${escapeHtml(order.orderNo)}</dd>
<dt>Method</dt><dd>${escapeHtml(order.paymentMethod ?? '-')}</dd>
<dt>Status</dt><dd data-testid="sandbox-status">${escapeHtml(order.status)}</dd></dl>
${
  open
    ? `<div class="actions"><form method="post" action="${action}/pay"><button class="pay" data-testid="sandbox-pay">Pay</button></form>
<form method="post" action="${action}/fail"><button class="fail" data-testid="sandbox-fail">Fail</button></form></div>`
    : ''
}
</main></body></html>`;
    return reply.header('content-type', 'text/html; charset=utf-8').send(html);
  }

  /**
   * Sends this app the notify an epay gateway would send, over HTTP to the address this
   * process listens on (loopback: never an address taken from the request),
   * then takes the payer to the result page.
   */
  @Post(':orderNo/pay')
  @HttpCode(303)
  async pay(@Param('orderNo') orderNo: string, @Res() reply: FastifyReply) {
    const order = await this.sandboxOrder(orderNo);
    const notify = this.sandbox.paidNotify({ orderNo: order.orderNo, amountCny: order.amountCny, method: order.paymentMethod });
    const { port } = this.adapterHost.httpAdapter.getHttpServer().address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/payment/webhook/${this.sandbox.name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(notify).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = await response.text();
    if (answer !== 'success') this.logger.warn({ orderNo, status: response.status, answer }, 'sandbox notify not accepted');
    return reply.redirect(`/payment/result?out_trade_no=${encodeURIComponent(order.orderNo)}`, 303);
  }

  @Post(':orderNo/fail')
  @HttpCode(303)
  async fail(@Param('orderNo') orderNo: string, @Res() reply: FastifyReply) {
    const order = await this.sandboxOrder(orderNo);
    await this.orders.failFromGatewayPage(this.sandbox.name, order.orderNo);
    return reply.redirect(`/payment/result?out_trade_no=${encodeURIComponent(order.orderNo)}`, 303);
  }

  private async sandboxOrder(orderNo: string): Promise<PaymentOrder> {
    const order = this.sandbox.enabled ? await this.orders.findOrderOf(this.sandbox.name, orderNo) : null;
    if (!order) throw PaymentsException.orderNotFound(orderNo);
    return order;
  }
}
