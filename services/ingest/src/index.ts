export { buildIngest } from './ingest.app';
