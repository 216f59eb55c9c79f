export { z } from '../domain/zod';
