import { runMain } from '@hub/shared/service';
import { buildHub } from './hub.app';

void runMain('hub', buildHub);
