import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { CONTRACTING_LEVELS, ContractingLevel } from '@app/config';
import type { TargetType } from '@app/database';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UNIT = /^\d{6}(\d{3}){0,2}$/;

export class UpdateAssignmentDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() personId?: string;
  @ApiPropertyOptional({ example: 'flood' }) @IsOptional() @IsString() sector?: string;
  @ApiPropertyOptional({ example: 'admin' }) @IsOptional() @IsString() roleSlot?: string;
  @ApiPropertyOptional({ enum: ['unit', 'zone', 'object'] })
  @IsOptional()
  @IsIn(['unit', 'zone', 'object'])
  targetType?: TargetType;
  @ApiPropertyOptional() @IsOptional() @IsString() targetId?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUUID() backupPersonId?: string | null;
  @ApiPropertyOptional({ example: '2025-01-01' }) @IsOptional() @Matches(DATE) validFrom?: string;
  @ApiPropertyOptional({ example: '2025-12-31' }) @IsOptional() @Matches(DATE) validTo?: string;
  @ApiPropertyOptional({ description: 'true = 挂牌公示 now' }) @IsOptional() @IsBoolean() published?: boolean;
}

export class CreateAssignmentDto {
  @ApiProperty() @IsUUID() personId!: string;
  @ApiProperty({ example: 'flood' }) @IsString() sector!: string;
  @ApiProperty({ example: 'admin' }) @IsString() roleSlot!: string;
  @ApiProperty({ enum: ['unit', 'zone', 'object'] }) @IsIn(['unit', 'zone', 'object']) targetType!: TargetType;
  @ApiProperty({ description: 'unit code, zone id or object id' }) @IsString() targetId!: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUUID() backupPersonId?: string | null;
  @ApiPropertyOptional({ example: '2025-01-01' }) @IsOptional() @Matches(DATE) validFrom?: string;
  @ApiPropertyOptional({ example: '2025-12-31' }) @IsOptional() @Matches(DATE) validTo?: string;
  @ApiPropertyOptional({ description: 'true (default) = 挂牌公示 now' }) @IsOptional() @IsBoolean() published?: boolean;
}

export class UpdateContractingDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() leaderPersonId?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(UNIT) adminUnitCode?: string;
  @ApiPropertyOptional({ enum: CONTRACTING_LEVELS }) @IsOptional() @IsIn(CONTRACTING_LEVELS) level?: ContractingLevel;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() sector?: string | null;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE) validFrom?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE) validTo?: string;
}

export class CreateContractingDto {
  @ApiProperty() @IsUUID() leaderPersonId!: string;
  @ApiProperty() @Matches(UNIT) adminUnitCode!: string;
  @ApiProperty({ enum: CONTRACTING_LEVELS }) @IsIn(CONTRACTING_LEVELS) level!: ContractingLevel;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsString() sector?: string | null;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE) validFrom?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(DATE) validTo?: string;
}

export class EndDto {
  @ApiPropertyOptional({ description: 'last valid day; today when absent', example: '2025-06-30' })
  @IsOptional()
  @Matches(DATE)
  validTo?: string;
}
