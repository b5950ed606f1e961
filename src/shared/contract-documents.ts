// Contract entries of the documents/ and audit/ services (Session Manager preferences,
// session documents, session history, preflight). Spread into `calls` and `events` in
// contract.ts, so the contract is still declared once.
import { z } from 'zod';

export const documentsCalls = {} as const satisfies Record<string, { request: z.ZodType; response: z.ZodType }>;

export const documentsEvents = {} as const satisfies Record<string, z.ZodType>;
