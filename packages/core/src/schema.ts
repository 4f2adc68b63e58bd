import type { StandardSchemaV1 } from '@standard-schema/spec';
import { MessagingError } from './errors.js';

/**
 * A typed message: a name (used as the destination) bound to a Standard Schema validator
 * (zod, valibot, arktype, …). `send`/`publish` type-check and validate bodies against it;
 * receivers validate incoming bodies and dead-letter invalid ones with `DECODE_FAILED`.
 */
export interface MessageDefinition<T = unknown> {
  readonly name: string;
  readonly schema: StandardSchemaV1<unknown, T>;
}

/** Binds `name` to `schema`. `name` is the queue or topic the message travels on. */
export function defineMessage<S extends StandardSchemaV1>(
  name: string,
  schema: S,
): MessageDefinition<StandardSchemaV1.InferOutput<S>> {
  return { name, schema: schema as StandardSchemaV1<unknown, StandardSchemaV1.InferOutput<S>> };
}

/** A destination given by name or by message definition. */
export type Target<T> = string | MessageDefinition<T>;

/** The name of a target. */
export function targetName(target: Target<unknown>): string {
  if (typeof target === 'string') return target;
  if (typeof target === 'object' && target !== null && typeof target.name === 'string') return target.name;
  throw new MessagingError(
    'INVALID_ARGUMENT',
    `a destination must be a name (string) or a message definition, got ${target === null ? 'null' : typeof target}`,
    { component: 'bus' },
  );
}

/** Validates `value` with the definition's schema; throws `code` with the issues listed. */
export async function validateWith<T>(
  definition: MessageDefinition<T>,
  value: unknown,
  code: 'INVALID_ARGUMENT' | 'DECODE_FAILED',
): Promise<T> {
  let result = definition.schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues) {
    const issues = result.issues
      .slice(0, 5)
      .map((issue) => {
        const path = issue.path
          ?.map((part) => (typeof part === 'object' ? String(part.key) : String(part)))
          .join('.');
        return path ? `${path}: ${issue.message}` : issue.message;
      })
      .join('; ');
    throw new MessagingError(code, `body does not match the schema of "${definition.name}": ${issues}`, {
      component: 'bus',
    });
  }
  return result.value;
}
