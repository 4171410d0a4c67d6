import { describe, expect, it } from 'vitest';
import { describeDrivers, startTestService } from '@hub/shared/testing';
import { loadConfig, ConfigError } from '@hub/shared/config';
import { buildHub } from '../src/hub.app';

describeDrivers(
  'hub',
  (set) => startTestService(set, buildHub),
  (hub, set) => {
    it('answers /healthz with its drivers', async () => {
      const res = await fetch(`${hub().url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(
        set === 'embedded'
          ? { status: 'ok', db: 'pglite', queue: 'memory' }
          : { status: 'ok', db: 'postgres', queue: 'bullmq' },
      );
    });

    it('answers unknown routes with the one error shape', async () => {
      const res = await fetch(`${hub().url}/nope`);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('route_not_found');
      expect(res.headers.get('x-request-id')).toBeTruthy();
    });
  },
);

describe('config', () => {
  it('names the variable at fault', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ HUB_ALLOW_SIGNUP: 'yes' })).toThrow(/HUB_ALLOW_SIGNUP/);
  });

  it('requires secrets in scaled mode', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:6379' })).toThrow(/JWT_SECRET/);
  });
});
