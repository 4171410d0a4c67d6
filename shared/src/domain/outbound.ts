// The live work's shared pieces (sending, the dispatcher's jobs, conversation actions,
// auto-assignment, reporting, metrics), exported through @hub/shared/domain.
export * from './outbound.assignment';
export * from './outbound.business-hours';
export * from './outbound.jobs';
export * from './outbound.media-url';
export * from './outbound.metrics';
export * from './outbound.reporting';
export * from './outbound.repository';
export * from './outbound.schemas';
export * from './outbound.service';
export * from './outbound.window';
