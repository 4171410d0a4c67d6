import { runMain } from '@hub/shared/service';
import { buildGateway } from './gateway.app';

void runMain('gateway', buildGateway);
