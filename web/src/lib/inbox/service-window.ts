// WhatsApp's customer-service window: free-form messages may be sent for 24 hours after the
// customer's last message; after that only approved templates
// (https://developers.facebook.com/docs/whatsapp/pricing#customer-service-windows).

export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export type ServiceWindow = { state: 'open'; remainingMs: number; closesAt: number } | { state: 'closed' };

export function serviceWindow(lastInboundAt: string | null | undefined, now: number): ServiceWindow {
  if (!lastInboundAt) return { state: 'closed' };
  const closesAt = new Date(lastInboundAt).getTime() + SERVICE_WINDOW_MS;
  // A message newer than the caller's clock tick (it ticks every 30 s) leaves the whole window,
  // not more: without the cap a fresh message read "1 d left".
  const remainingMs = Math.min(SERVICE_WINDOW_MS, closesAt - now);
  return remainingMs > 0 ? { state: 'open', remainingMs, closesAt } : { state: 'closed' };
}

/** The later of two ISO instants (either may be missing). */
export function latestIso(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return new Date(a).getTime() >= new Date(b).getTime() ? a : b;
}
