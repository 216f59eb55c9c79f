import { defineSearchAttributeKey } from '@temporalio/common';

/** The project's custom search attributes; scripts/search-attributes.txt registers the same names. */
export const ProcessType = defineSearchAttributeKey('ProcessType', 'KEYWORD');
export const StoreId = defineSearchAttributeKey('StoreId', 'KEYWORD');
export const BusinessStatus = defineSearchAttributeKey('BusinessStatus', 'KEYWORD');
export const ApprovalPending = defineSearchAttributeKey('ApprovalPending', 'BOOL');
export const ApproverRole = defineSearchAttributeKey('ApproverRole', 'KEYWORD_LIST');
export const CustomerTier = defineSearchAttributeKey('CustomerTier', 'KEYWORD');
