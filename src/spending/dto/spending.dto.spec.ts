import { expectCompiledPathFor, expectSameAnswersAsClassValidator } from '../../common/http/body-validation.testing';
import { CreateChargeDto } from './spending.dto';

describe('CreateChargeDto', () => {
  const typical = { userId: '42', amountUsd: '0.25', description: 'gpt-4o: 1,234 tokens' };

  it('gets from its compiled schema the answer class-validator gives, for every body', async () => {
    await expectSameAnswersAsClassValidator(CreateChargeDto, ['userId', 'amountUsd', 'description'], typical);
  });

  it('takes the compiled path for a typical charge', async () => {
    await expectCompiledPathFor(CreateChargeDto, typical);
  });
});
