import { expectCompiledPathFor, expectSameAnswersAsClassValidator } from '../../common/http/body-validation.testing';
import { CreateOrderDto } from './order.dto';

describe('CreateOrderDto', () => {
  const typical = { amountCny: '20.00', provider: 'apay', method: 'alipay' };

  it('gets from its compiled schema the answer class-validator gives, for every body', async () => {
    await expectSameAnswersAsClassValidator(CreateOrderDto, ['amountCny', 'provider', 'method', 'display'], typical);
  });

  it('takes the compiled path for a typical order', async () => {
    await expectCompiledPathFor(CreateOrderDto, typical);
  });
});
