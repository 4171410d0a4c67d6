import { ZodError } from 'zod';
import { outboundDepsOf, sendAgentMessage, SendMessageBody, splitSocketSend } from '@hub/shared/domain';
import { AppError } from '@hub/shared/errors';
import { zodToDetails } from '@hub/shared/http';
import type { Logger } from '@hub/shared/logger';
import { NotificationPayload, type AckError } from '@hub/shared/realtime';
import type { Runtime } from '@hub/shared/runtime';
import { rooms } from './rooms';
import type { GatewayServer } from './socket.types';

// The live inbox's socket additions:
// - `message:send {conversationId, idempotencyKey?, ...body}` with an ack — the same service
//   function as POST /api/v1/conversations/:id/messages (visibility, window rules, idempotency,
//   the outbound queue); the ack is `{ok:true, message}` or `{ok:false, error:{code,message,details?}}`.
// - bus `notification` (e.g. an @mention in a private note) → socket `notification` to the
//   sockets of that one user.

function ackError(err: unknown): AckError {
  if (err instanceof ZodError) {
    const details = zodToDetails(err);
    return {
      ok: false,
      error: { code: 'validation_failed', message: `invalid ${details.map((d) => d.field).join(', ')}`, details },
    };
  }
  if (err instanceof AppError) {
    return {
      ok: false,
      error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
    };
  }
  return { ok: false, error: { code: 'internal', message: 'internal error' } };
}

/** Registers the handlers on every connection; returns what undoes the bus subscription. */
export function attachLiveHandlers(io: GatewayServer, rt: Runtime, logger: Logger): () => void {
  const deps = outboundDepsOf(rt);
  io.on('connection', (socket) => {
    socket.on('message:send', (p, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      (async () => {
        const { conversationId, idempotencyKey, body } = splitSocketSend(p);
        const parsed = SendMessageBody.parse(body);
        const { message } = await sendAgentMessage(deps, socket.data.auth, conversationId, parsed, { idempotencyKey });
        return message;
      })().then(
        (message) => reply({ ok: true, message }),
        (err: unknown) => {
          if (!(err instanceof AppError) && !(err instanceof ZodError)) logger.error({ err }, 'message:send failed');
          reply(ackError(err));
        },
      );
    });
  });
  return rt.bus.subscribe((msg) => {
    if (msg.type !== 'notification') return;
    const p = NotificationPayload.safeParse(msg.payload);
    if (p.success) io.local.to(rooms.user(p.data.userId)).emit('notification', p.data);
  });
}
