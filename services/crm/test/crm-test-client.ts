import { randomBytes } from 'node:crypto';
import type { Role } from '@hub/shared/auth';
import { startTestService, type DriverSetName } from '@hub/shared/testing';
import type { RunningService } from '@hub/shared/service';
import { buildCrm } from '../src/crm.app';

/* eslint-disable @typescript-eslint/no-explicit-any -- tests probe JSON answers freely; the
   assertions, not the types, say what they must hold. */

// Helpers for the CRM integration suites: a CRM service with sign-up on, a small JSON client,
// and "a fresh workspace with a user of each role" so every test owns its data.

export type Crm = RunningService & { cleanup(): Promise<void> };

export function startCrm(set: DriverSetName, env: Record<string, string> = {}): Promise<Crm> {
  return startTestService(set, buildCrm, { HUB_ALLOW_SIGNUP: 'true', ...env });
}

export interface ErrorAnswer {
  error: { code: string; message: string; details?: any };
}

export interface Answer<T = any> {
  status: number;
  /** The JSON body: T on success, the error shape otherwise. */
  body: T & ErrorAnswer;
  headers: Headers;
}

export interface CallOptions {
  token?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call<T = any>(
  svc: Crm,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = method === 'GET' || method === 'HEAD' ? undefined : opts.body;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${svc.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (e.g. the docs page)
  }
  return { status: res.status, body: parsed as T & ErrorAnswer, headers: res.headers };
}

export const uniq = (prefix = 'x') => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: string; workspaceId: string };
}

export const PASSWORD = 'correct horse battery';

export async function signUp(svc: Crm, workspaceName = uniq('ws')): Promise<Session> {
  const res = await call<Session>(svc, 'POST', '/api/v1/workspaces', {
    body: { workspaceName, name: 'Owner', email: `${uniq('owner')}@example.com`, password: PASSWORD },
  });
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function login(svc: Crm, email: string, password = PASSWORD, headers?: Record<string, string>) {
  return call<Session>(svc, 'POST', '/api/v1/auth/login', {
    body: { email, password },
    ...(headers ? { headers } : {}),
  });
}

export async function addUser(svc: Crm, admin: Session, role: Role, name: string = role): Promise<Session> {
  const email = `${uniq(role)}@example.com`;
  const created = await call(svc, 'POST', '/api/v1/users', {
    token: admin.accessToken,
    body: { name, email, password: PASSWORD, role },
  });
  if (created.status !== 201) throw new Error(`user create failed: ${created.status} ${JSON.stringify(created.body)}`);
  const res = await login(svc, email);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface Team {
  admin: Session;
  supervisor: Session;
  agent: Session;
  marketer: Session;
  manager: Session;
}

/** A new workspace with one signed-in user per role. */
export async function team(svc: Crm): Promise<Team> {
  const admin = await signUp(svc);
  const [supervisor, agent, marketer, manager] = await Promise.all([
    addUser(svc, admin, 'supervisor'),
    addUser(svc, admin, 'agent'),
    addUser(svc, admin, 'marketer'),
    addUser(svc, admin, 'manager'),
  ]);
  return { admin, supervisor, agent, marketer, manager };
}

/** Moves the service's clock (rt.clock) forward; returns a function that puts it back. */
export function shiftClock(svc: Crm, ms: number): () => void {
  const previous = svc.rt.clock;
  svc.rt.clock = () => new Date(previous().getTime() + ms);
  return () => {
    svc.rt.clock = previous;
  };
}

/** Stops the service's clock at now; advance() moves it. Exact durations for time-based figures. */
export function manualClock(svc: Crm): { advance(ms: number): void; restore(): void } {
  const previous = svc.rt.clock;
  let now = previous().getTime();
  svc.rt.clock = () => new Date(now);
  return {
    advance(ms) {
      now += ms;
    },
    restore() {
      svc.rt.clock = previous;
    },
  };
}

let phoneSeq = Math.floor(Math.random() * 1_000_000);
/** A valid, unused Spanish mobile number in E.164. */
export function newPhone(): string {
  phoneSeq = (phoneSeq + 1) % 10_000_000;
  return `+346${String(10_000_000 + phoneSeq)
    .slice(1)
    .padStart(8, '0')}`;
}
