import { runMain } from '@hub/shared/service';
import { buildIngest } from './ingest.app';

void runMain('ingest', buildIngest);
