import { forkIpc } from './ipc';
import type { RunResult } from './http-load';
import type { AgentsStatsResult, E2eFinal, E2eRequest, E2eResult, FanoutResult, LoadCommand } from './load.protocol';

// The runner's side of the load process (load.main.ts): forked with its own event loop,
// typed commands in, typed answers out.

export { REPO_ROOT } from './ipc';

export interface LoadProcess {
  readonly pid: number;
  call(cmd: Extract<LoadCommand, { cmd: 'http-closed' | 'http-open' }>): Promise<RunResult>;
  call(cmd: { cmd: 'e2e' } & E2eRequest): Promise<E2eResult>;
  call(cmd: { cmd: 'agents-stats' }): Promise<AgentsStatsResult>;
  call(cmd: { cmd: 'e2e-final' }): Promise<E2eFinal>;
  call(cmd: Extract<LoadCommand, { cmd: 'fleet-fanout' }>): Promise<FanoutResult>;
  call(cmd: Extract<LoadCommand, { cmd: 'fleet-connect' }>): Promise<{ connected: number; failed: number; ms: number }>;
  call(cmd: Extract<LoadCommand, { cmd: 'fleet-collect' }>): Promise<number[]>;
  call(cmd: Extract<LoadCommand, { cmd: 'agents-open' }>): Promise<{ connected: number }>;
  call(cmd: LoadCommand): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startLoadProcess(): Promise<LoadProcess> {
  const child = await forkIpc('infra/load/load.main.ts', 'load process');
  return {
    pid: child.pid,
    call: (cmd: LoadCommand) => child.call(cmd as unknown as { cmd: string } & Record<string, unknown>),
    stop: () => child.stop(),
  } as LoadProcess;
}
