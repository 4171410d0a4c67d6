import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // HUB_WEB_ORIGIN, HUB_WEB_PORT… when the app runs on its own (scaled mode): the hub's own
    // PORT/HOST must not be read by the embedded handler.
    adapter: adapter({ envPrefix: 'HUB_WEB_' }),
  },
};

export default config;
