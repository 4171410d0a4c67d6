export { buildWorker, platformEndpoints, type WorkerOptions } from './worker.app';
export { replayWebhookEvents, type ReplayOptions } from './replay';
export { processEvent, routeEvent } from './inbound/inbound.service';
