/**
 * types/handler.d.ts, embedded in the executable: `byoc handler-types > code/handler.d.ts` gives a user
 * the types of the handler API that matches the byoc they run, from the image itself.
 */
// @ts-expect-error: TypeScript refuses to import a .d.ts as a value; Bun's text loader reads its text.
import text from '../types/handler.d.ts' with { type: 'text' }

export const HANDLER_TYPES = text as unknown as string
