export { priceChange } from './workflow';
