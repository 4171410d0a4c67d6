import type { Runtime } from '../runtime';
import { isSequencedMessage, type RealtimeBusMessage, type RealtimeEnvelope } from './events';
import type { SequencedBus } from './sequenced-bus';

/**
 * Publishes a realtime event after its change has committed. The four domain events get their
 * seq and a place in the replay log (the runtime's bus does that for `rt.bus.publish` too;
 * this typed entry point also answers the envelope with its seq). Undefined for other types.
 */
export async function publishRealtime(
  rt: Pick<Runtime, 'bus'>,
  msg: RealtimeBusMessage,
): Promise<RealtimeEnvelope | undefined> {
  const bus: Runtime['bus'] & Partial<Pick<SequencedBus, 'publishSequenced'>> = rt.bus;
  if (isSequencedMessage(msg) && bus.publishSequenced) return bus.publishSequenced(msg);
  await bus.publish(msg);
  return undefined;
}
