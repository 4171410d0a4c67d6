// `npm run demo`: the hub in demo mode (see demo.ts), with its own data directory so a demo
// never mixes with a real installation's data. Any variable set in the environment wins.
process.env['HUB_DEMO'] ??= '1';
process.env['HUB_DATA_DIR'] ??= './.data/demo';
await import('../../services/hub/src/main');
export {};
