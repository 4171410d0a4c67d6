import { connect, createServer, type Server, type Socket } from 'node:net';

// A TCP proxy in front of PostgreSQL, so a chaos run can make the database refuse connections
// without touching the machine's server: `down()` cuts every open connection and stops
// listening (new connections are refused), `up()` listens again on the same port.

export class PgProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Connections accepted while up; refused ones never reach us. */
  accepted = 0;

  constructor(private readonly upstream: { host: string; port: number } = { host: '127.0.0.1', port: 5432 }) {}

  get isUp(): boolean {
    return this.server !== undefined;
  }

  async up(): Promise<this> {
    if (this.server) return this;
    const server = createServer((client) => {
      this.accepted += 1;
      const db = connect(this.upstream);
      this.sockets.add(client);
      this.sockets.add(db);
      const drop = () => {
        client.destroy();
        db.destroy();
        this.sockets.delete(client);
        this.sockets.delete(db);
      };
      client.on('error', drop);
      db.on('error', drop);
      client.on('close', drop);
      db.on('close', drop);
      client.pipe(db);
      db.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  /** PostgreSQL "goes away": open connections reset, new ones refused until up(). */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}
