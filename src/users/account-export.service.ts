import { Readable } from 'node:stream';
import { Injectable, StreamableFile } from '@nestjs/common';
import { LedgerService } from '../ledger/ledger.service';
import { ownExportedRechargeRecord } from '../ledger/dto/recharge-record.dto';
import { OrderDto } from '../payments/dto/order.dto';
import { OrdersService } from '../payments/orders.service';
import { PromotionsService } from '../promotions/promotions.service';
import { maskUsername } from '../referrals/referral-code';
import { inviteeStatus } from '../referrals/referrals.controller';
import { ReferralsService } from '../referrals/referrals.service';
import { InviteeDto } from '../referrals/dto/referral.dto';
import { AccountExportDto, ExportProfileDto, ExportPromotionDto, ExportReferralDto } from './dto/account.dto';
import { UsersService } from './users.service';
import { UsersException } from './users.errors';

const INVITES_PAGE_SIZE = 100;

/** The parts of AccountExportDto read up front; orders and ledger rows are streamed after them. */
type ExportHead = Pick<AccountExportDto, 'exportedAt' | 'profile' | 'promotion' | 'referral'>;

/**
 * The signed-in user's data as one JSON document (AccountExportDto), sent as
 * a download. The profile, promotion and invites are read first (so a
 * failure there is an ordinary error answer); the orders and ledger rows
 * follow in keyset batches, each read only when the client has taken the one
 * before, so a long history never sits in memory whole. Nothing secret is in
 * it: no password hash, token version or API key.
 */
@Injectable()
export class AccountExportService {
  constructor(
    private readonly users: UsersService,
    private readonly ledger: LedgerService,
    private readonly orders: OrdersService,
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
  ) {}

  async export(userId: string, now = new Date()): Promise<StreamableFile> {
    const head = await this.head(userId, now);
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    return new StreamableFile(Readable.from(this.document(userId, head)), {
      type: 'application/json; charset=utf-8',
      disposition: `attachment; filename="recharge-data-${userId}-${stamp}.json"`,
    });
  }

  private async head(userId: string, now: Date): Promise<ExportHead> {
    const user = await this.users.findForExport(userId);
    if (!user) throw UsersException.notFound(userId);
    const { held } = await this.ledger.holdingsOf(userId);
    const profile: ExportProfileDto = {
      id: user.id,
      email: user.email,
      username: user.username,
      role: user.role,
      status: user.status,
      balance: user.balance,
      held,
      registrationIp: user.registrationIp,
      createdAt: user.createdAt.toISOString(),
    };
    return { exportedAt: now.toISOString(), profile, promotion: await this.promotion(userId), referral: await this.referral(userId) };
  }

  private async promotion(userId: string): Promise<ExportPromotionDto | null> {
    const row = await this.promotions.storedOf(userId);
    if (!row) return null;
    return {
      status: row.status,
      activatedAt: row.activated_at.toISOString(),
      expireAt: row.expire_at.toISOString(),
      usedTier: row.used_tier,
      usedAt: row.used_at?.toISOString() ?? null,
      usedAmount: row.used_amount,
      bonusAmount: row.bonus_amount,
    };
  }

  private async referral(userId: string): Promise<ExportReferralDto> {
    const invitees: InviteeDto[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await this.referrals.invites({ referrerId: userId }, { page, pageSize: INVITES_PAGE_SIZE });
      for (const invite of items) {
        invitees.push({
          username: maskUsername(invite.inviteeUsername),
          status: inviteeStatus(invite),
          joinedAt: invite.createdAt.toISOString(),
          qualifiedAt: invite.qualifiedAt?.toISOString() ?? null,
          rewardUsd: invite.rewardAmountUsd,
        });
      }
      if (items.length < INVITES_PAGE_SIZE || page * INVITES_PAGE_SIZE >= total) break;
    }
    const [invite] = (await this.referrals.invites({ inviteeId: userId }, { page: 1, pageSize: 1 })).items;
    return {
      code: await this.referrals.existingCodeOf(userId),
      invitedBy: invite ? { referrer: maskUsername(invite.referrerUsername), joinedAt: invite.createdAt.toISOString() } : null,
      invitees,
    };
  }

  /** The document, piece by piece: the head, then the orders, then the ledger rows, as JSON text. */
  private async *document(userId: string, head: ExportHead): AsyncGenerator<string> {
    yield JSON.stringify(head).slice(0, -1);
    yield ',"orders":[';
    let first = true;
    for await (const batch of this.orders.exportOwn(userId)) {
      yield (first ? '' : ',') + batch.map((order) => JSON.stringify(OrderDto.from(order))).join(',');
      first = false;
    }
    yield '],"ledger":[';
    first = true;
    for await (const batch of this.ledger.exportRows({ userId })) {
      yield (first ? '' : ',') + batch.map((row) => JSON.stringify(ownExportedRechargeRecord(row))).join(',');
      first = false;
    }
    yield ']}';
  }
}
