import * as classValidator from 'class-validator';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { BodyValidationPipe, FastBody, VALIDATION_OPTIONS } from './body-validation.pipe';
import { expectCompiledPathFor, expectSameAnswersAsClassValidator } from './body-validation.testing';

@FastBody({
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[a-z]{1,10}$' }, colour: { type: 'string', enum: ['red', 'blue'] } },
  required: ['name'],
  additionalProperties: false,
})
class PaintDto {
  @IsString() @MaxLength(10) name: string;
  @IsOptional() @IsIn(['red', 'blue', 'green']) colour?: string;
}

describe('BodyValidationPipe', () => {
  it('answers every body as class-validator does, the schema being stricter than the decorators', async () => {
    await expectSameAnswersAsClassValidator(PaintDto, ['name', 'colour'], { name: 'wall', colour: 'red' });
  });

  it('takes the compiled path for a body the schema accepts', async () => {
    await expectCompiledPathFor(PaintDto, { name: 'wall', colour: 'blue' });
  });

  it('leaves queries and parameters to class-validator', async () => {
    const validate = jest.spyOn(classValidator, 'validate');
    try {
      await new BodyValidationPipe(VALIDATION_OPTIONS).transform({ name: 'wall' }, { type: 'query', metatype: PaintDto });
      expect(validate).toHaveBeenCalledTimes(1);
    } finally {
      validate.mockRestore();
    }
  });
});
