import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateBy } from 'class-validator';
import { Trim } from '../../common/http/trim.decorator';
import { IsDecimalString } from '../../common/money/is-decimal-string.validator';
import { Money } from '../../common/money/money';
import { REMARK_MAX_LENGTH } from '../../ledger/recharge-record.entity';

export class BalanceAdjustmentDto {
  @ApiProperty({
    example: '-5.00',
    description: 'Signed USD amount, up to 8 decimals: positive credits, negative debits. Not zero.',
    pattern: '^-?\\d+(\\.\\d{1,8})?$',
    maxLength: 64,
  })
  @ValidateBy({
    name: 'nonZero',
    validator: {
      validate: (value) => typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value) || !new Money(value).isZero(),
      defaultMessage: () => 'amount must not be zero',
    },
  })
  @IsDecimalString({ scale: 8, min: '-1000000', max: '1000000' })
  amount: string;

  @ApiProperty({ example: 'Compensation for ticket #1234', maxLength: REMARK_MAX_LENGTH })
  @Trim()
  @MaxLength(REMARK_MAX_LENGTH)
  @IsNotEmpty({ message: 'remark is required' })
  @IsString()
  remark: string;
}
