/**
 * The zod schemas of campaign variants and holdout (API and start validation). Kept apart from
 * campaign-split.ts so workflow code using the split does not bundle zod.
 */
import { z } from './zod';

export const MAX_VARIANTS = 5;

export const MAX_HOLDOUT_PERCENT = 50;

export const VariantSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9_-]{1,20}$/, 'lowercase letters, digits, _ or -, at most 20'),
    subject: z.string().trim().min(1).max(200),
    body: z
      .string()
      .min(1)
      .max(20_000)
      .refine((b) => b === '' || b.trim() !== '', 'must not be blank'), // '' is already too short
    weight: z.number().positive().max(1000).optional().openapi({ description: 'Relative share of the non-holdout audience (default: equal shares).' }),
  })
  .strict()
  .openapi('CampaignVariant');

export const CampaignVariantsSchema = z
  .array(VariantSchema)
  .min(1)
  .max(MAX_VARIANTS)
  .superRefine((variants, ctx) => {
    const seen = new Set<string>();
    variants.forEach((v, i) => {
      if (seen.has(v.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `repeats variant key ${v.key}` });
      seen.add(v.key);
    });
  })
  .openapi('CampaignVariants');

export const HoldoutPercentSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_HOLDOUT_PERCENT)
  .openapi({ description: 'Percentage of the audience held out (sent nothing) to measure the campaign against.' });

export type CampaignVariant = z.infer<typeof VariantSchema>;
