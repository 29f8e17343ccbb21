import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MIN_PASSWORD_LENGTH, USER_ROLES } from '@app/accounts';
import type { UserRole } from '@app/accounts';
import { PageQueryDto } from '../common/page-query.dto';

export class LoginDto {
  @ApiProperty({ example: 'fd-duty' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password!: string;

  @ApiProperty({
    required: false,
    description: '6-digit authenticator code, when the account has TOTP on',
    example: '123456',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  totp?: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code: 6 digits（须为 6 位数字）' })
  code!: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'fd-shizhi-duty', description: '3–64 letters, digits, _ . -' })
  @IsString()
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: '张值班' })
  @IsString()
  @MaxLength(100)
  displayName!: string;

  @ApiProperty({
    example: 'a-long-unusual-passphrase',
    minLength: MIN_PASSWORD_LENGTH,
    description: 'not a common password, not containing the login name',
  })
  @IsString()
  @MaxLength(200)
  password!: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role!: UserRole;

  @ApiProperty({
    example: '500230',
    description: 'division code of the region the account sees and acts on (500000 = all of Chongqing)',
  })
  @IsString()
  regionCode!: string;
}

export class UpdateUserDto {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  displayName?: string;

  @ApiProperty({ required: false, enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiProperty({ required: false, example: '500230107' })
  @IsOptional()
  @IsString()
  regionCode?: string;

  @ApiProperty({ required: false, description: 'true disables the account and ends its sessions at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ResetPasswordDto {
  @ApiProperty({ required: false, description: 'the new password; left out, one is made up and answered once' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  password?: string;

  @ApiProperty({ required: false, description: 'also remove the account’s authenticator (lost phone)' })
  @IsOptional()
  @IsBoolean()
  clearTotp?: boolean;
}

export class UserListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'part of a login or display name' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  q?: string;
}
