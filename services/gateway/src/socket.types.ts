import type { BroadcastOperator, Server, Socket } from 'socket.io';
import type { AssigneeVisibility, AuthContext } from '@hub/shared/auth';
import type { ClientToServerEvents, ServerToClientEvents } from '@hub/shared/realtime';

/** Set by the handshake middleware; plain data so connection-state recovery can persist it. */
export interface SocketData {
  auth: AuthContext;
  name: string;
  /** Which conversations this user may see; null: no inbox access (e.g. marketers). */
  inbox: AssigneeVisibility | null;
  /** Gets `metrics:updated` (may read reports). */
  supervisor: boolean;
}

export type InterServerEvents = Record<string, never>;
export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GatewayBroadcast = BroadcastOperator<ServerToClientEvents, SocketData>;
