import { runMain } from '@hub/shared/service';
import { buildWorker } from './worker.app';

void runMain('worker', buildWorker);
