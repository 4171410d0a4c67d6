export { buildGateway } from './gateway.app';
