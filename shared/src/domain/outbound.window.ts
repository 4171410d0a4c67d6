import { AppError, assertNever } from '../errors';
import type { ChannelType } from '../events';

// The platforms' customer-service windows, checked before anything is stored or sent, so an
// agent learns at once that a template is needed instead of watching the message fail.
//
// WhatsApp: a customer message opens a 24-hour window; outside it only approved templates may
// be sent (a free-form send fails with 131047).
// https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages
// Messenger: 24 hours of standard messaging; a human agent may answer for 7 days with the
// HUMAN_AGENT tag; after that Meta answers (#10) "outside of allowed window".
// https://developers.facebook.com/docs/messenger-platform/policy/policy-overview
// Telegram has no window.

export const CUSTOMER_WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export type SendKind = 'free' | 'template';

export interface WindowDecision {
  /** Messenger between 24 h and 7 days: send with the HUMAN_AGENT message tag. */
  humanAgentTag: boolean;
}

function since(lastInboundAt: Date | null, now: Date): string {
  if (!lastInboundAt) return 'the customer has not written yet';
  const hours = Math.floor((now.getTime() - lastInboundAt.getTime()) / 3_600_000);
  return `the customer last wrote ${hours} hours ago (${lastInboundAt.toISOString()})`;
}

/** Throws a 422 when the platform would refuse this kind of message now. */
export function checkCustomerWindow(
  type: ChannelType,
  kind: SendKind,
  lastInboundAt: Date | null,
  now: Date,
): WindowDecision {
  const age = lastInboundAt ? now.getTime() - lastInboundAt.getTime() : Number.POSITIVE_INFINITY;
  switch (type) {
    case 'whatsapp':
      if (kind === 'template' || age <= CUSTOMER_WINDOW_MS) return { humanAgentTag: false };
      throw new AppError(
        'unprocessable',
        'whatsapp_window_closed',
        `The WhatsApp 24-hour customer service window is closed: ${since(lastInboundAt, now)}. ` +
          'A template is needed to write to this customer until they answer.',
        [{ field: 'type', message: 'send {"type":"template","template":{…}} instead' }],
      );
    case 'messenger':
      if (kind === 'template') throw templateUnsupported(type);
      if (age <= CUSTOMER_WINDOW_MS) return { humanAgentTag: false };
      if (age <= HUMAN_AGENT_WINDOW_MS) return { humanAgentTag: true };
      throw new AppError(
        'unprocessable',
        'messenger_window_closed',
        `Messenger only allows human agents to answer within 7 days of the customer's last message: ` +
          `${since(lastInboundAt, now)}. Wait for the customer to write again.`,
      );
    case 'telegram':
      if (kind === 'template') throw templateUnsupported(type);
      return { humanAgentTag: false };
    default:
      return assertNever(type);
  }
}

function templateUnsupported(type: ChannelType): AppError {
  return new AppError('unprocessable', 'template_unsupported', `${type} has no message templates; send text instead`, [
    { field: 'type', message: 'templates are WhatsApp-only' },
  ]);
}
