import { buildCrm } from '@hub/crm';
import { buildGateway } from '@hub/gateway';
import { buildIngest } from '@hub/ingest';
import { buildWorker } from '@hub/worker';
import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { buildDemo } from '../../../infra/demo/demo';
import { mountWeb } from './web';

/** The all-in-one process: every service's parts on one runtime and one HTTP server. */
export async function buildHub(rt: Runtime): Promise<ServiceParts> {
  // Demo mode first: it points the platform URLs at its in-process fakes before anything uses them.
  const demo = rt.config.demo ? [await buildDemo(rt)] : [];
  const parts = [...(await Promise.all([buildIngest(rt), buildCrm(rt), buildGateway(rt), buildWorker(rt)])), ...demo];
  return {
    mount(app) {
      for (const p of parts) p.mount?.(app);
      // Last: the inbox answers browser navigation that no API or webhook route took.
      mountWeb(app, { logger: rt.logger });
    },
    async attach(server) {
      for (const p of parts) await p.attach?.(server);
    },
    async close() {
      // Reverse order: stop the front door first, the workers last.
      for (const p of [...parts].reverse()) await p.close?.();
    },
  };
}
