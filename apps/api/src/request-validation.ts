import { ValidationPipe } from '@nestjs/common';
import { validationErrorFrom } from './validation-errors';

/** How every request body is checked against its DTO: unknown fields refused, values transformed to the DTO's types. */
export const requestValidation = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // The DTO instance on each error, so an unknown field is answered with the nearest declared name.
    validationError: { target: true, value: false },
    exceptionFactory: validationErrorFrom,
  });
