// The inbox is a client app: tokens live in the browser, every page talks to the API and the
// socket. The server (adapter-node) only serves the shell and the assets.
export const ssr = false;
export const prerender = false;
