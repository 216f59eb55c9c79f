import { defineSearchAttributeKey } from '@temporalio/common';

/** The project's custom search attributes; scripts/search-attributes.txt registers the same names. */
export const ProcessType = defineSearchAttributeKey('ProcessType', 'KEYWORD');
export const StoreId = defineSearchAttributeKey('StoreId', 'KEYWORD');
export const BusinessStatus = defineSearchAttributeKey('BusinessStatus', 'KEYWORD');
export const ApprovalPending = defineSearchAttributeKey('ApprovalPending', 'BOOL');
export const ApproverRole = defineSearchAttributeKey('ApproverRole', 'KEYWORD_LIST');
export const CustomerTier = defineSearchAttributeKey('CustomerTier', 'KEYWORD');
/** Every store a run concerns (a price change for several stores is found by each); StoreId stays for one-store runs and older ones. */
export const StoreIds = defineSearchAttributeKey('StoreIds', 'KEYWORD_LIST');
