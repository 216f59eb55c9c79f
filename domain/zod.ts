/**
 * zod with OpenAPI metadata, for the schemas the domain owns (campaign segments and variants) that the
 * API publishes as they are. The API imports it from here (api/zod.ts), so there is one extension.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
