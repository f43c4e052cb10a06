import { BadRequestException, Injectable, NotFoundException, PipeTransform } from '@nestjs/common';
import { isBigintId } from './bigint-id';

/** A BIGINT id in a path, kept as a string: "42". Digits beyond BIGINT name nothing that exists: a 404. */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (isBigintId(value)) return value;
    if (/^\d+$/.test(value)) throw new NotFoundException(`no record has id ${value.slice(0, 40)}`);
    throw new BadRequestException([`id must be a positive integer, got "${value.slice(0, 40)}"`]);
  }
}
