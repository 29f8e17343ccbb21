import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class SignInFormDto {
  @IsString() @IsNotEmpty() @MaxLength(200)
  key!: string;
}
