import type { ZodError } from 'zod';

/**
 * The first five issues of a failed schema check as `path: message; …` (`(root)` for the value
 * itself): the `detail` of a `schema-mismatch` dead letter.
 */
export function zodIssuesDetail(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
