import { AppError } from '@hub/shared/errors';

// The error answers of the money resources, each naming the field at fault in `details`.

/** 400: the input names something that is not there or does not fit (a field-level problem). */
export const invalidField = (field: string, message: string) =>
  new AppError('validation_failed', 'validation_failed', `invalid ${field}`, [{ field, message }]);

/** 422: well-formed input the business rules refuse (an overpayment, a currency mismatch). */
export const unprocessable = (code: string, field: string, message: string) =>
  new AppError('unprocessable', code, message, [{ field, message }]);

/** 409: the record's state does not allow it (a transition, an edit of a sent quote). */
export const stateConflict = (code: string, message: string, field?: string) =>
  new AppError('conflict', code, message, field ? [{ field, message }] : undefined);
