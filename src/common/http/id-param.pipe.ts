import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** A BIGINT id in a path, kept as a string: "42". */
@Injectable()
export class IdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,18}$/.test(value)) throw new BadRequestException([`id must be a positive integer, got "${value}"`]);
    return value;
  }
}
