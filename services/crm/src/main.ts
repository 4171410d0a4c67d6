import { runMain } from '@hub/shared/service';
import { buildCrm } from './crm.app';

void runMain('crm', buildCrm);
