export { buildHub } from './hub.app';
