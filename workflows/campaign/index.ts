export { campaignDispatch } from './workflow';
