import type { Runtime } from '@hub/shared/runtime';
import type { ServiceParts } from '@hub/shared/service';
import { buildHub } from '@hub/hub';
import { mountWeb } from '../../../services/hub/src/web';

/** The hub as `npm start` runs it: every service plus the built web app, mounted last. */
export async function buildHubWithWeb(rt: Runtime): Promise<ServiceParts> {
  const parts = await buildHub(rt);
  return {
    ...parts,
    mount(app) {
      parts.mount?.(app);
      mountWeb(app, { logger: rt.logger });
    },
  };
}
