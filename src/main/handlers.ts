// The shape of a handler table: one function per contract call, given the request already
// parsed by its schema. Apart from host.ts so that a service's table (documents/handlers.ts,
// containers/handlers.ts) never imports the composition root that builds it.
import type { z } from 'zod';
import type { CallResponse, Calls, Method } from '../shared/contract';

export type Handlers = {
  [M in Method]: (request: z.output<Calls[M]['request']>) => Promise<CallResponse<M>> | CallResponse<M>;
};
