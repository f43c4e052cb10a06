import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength, ValidateBy } from 'class-validator';
import { Trim } from '../../../common/http/trim.decorator';
import { UserRole } from '../../user.entity';


/** bcrypt reads at most 72 bytes; a longer password would be silently cut. */
const FitsBcrypt = () =>
  ValidateBy({
    name: 'fitsBcrypt',
    validator: {
      validate: (value) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= 72,
      defaultMessage: () => 'password must be at most 72 bytes in UTF-8',
    },
  });

export class RegisterDto {
  @ApiProperty({ example: 'alice@example.com', maxLength: 255 })
  @Trim()
  @MaxLength(255)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @ApiProperty({ example: 'alice', minLength: 3, maxLength: 50, description: 'Letters, digits, _ . -' })
  @Trim()
  @Matches(/^[\p{L}\p{N}_.-]+$/u, { message: 'username may contain only letters, digits, _ . and -' })
  @Length(3, 50)
  @IsString()
  username: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 72, format: 'password' })
  @FitsBcrypt()
  @Length(8, 72, { message: 'password must be 8 to 72 characters' })
  @IsString()
  password: string;

  @ApiPropertyOptional({ example: 'K7QX2M9P', description: 'The code from an invite link', maxLength: 20 })
  @IsOptional()
  @Trim()
  @MaxLength(20)
  @IsString()
  inviteCode?: string;
}

export class LoginDto {
  @ApiProperty({ example: 'alice@example.com', maxLength: 255 })
  @Trim()
  @MaxLength(255)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email: string;

  @ApiProperty({ example: 'correct horse battery', format: 'password', maxLength: 200 })
  @Length(1, 200)
  @IsString()
  password: string;
}

export class SessionUserDto {
  @ApiProperty({ example: '42' }) id: string;
  @ApiProperty({ example: 'alice@example.com' }) email: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ enum: UserRole, enumName: 'UserRole' }) role: UserRole;
}

export class SessionDto {
  @ApiProperty({ description: 'Bearer token for the Authorization header' }) accessToken: string;
  @ApiProperty({ type: SessionUserDto }) user: SessionUserDto;
}
