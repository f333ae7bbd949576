import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  hostPort,
  type NatsListenPorts,
  natsServerFiles,
  renderNatsConfig,
  serverNameFor,
} from './config.js';
import { busyPortIn, NatsServerStartError } from './errors.js';
import { NatsLog } from './log.js';
import { pollUntil, readMonitor } from './monitor.js';
import { type NatsServerOptions, parseNatsServerOptions, type ResolvedNatsServerOptions } from './options.js';
import { findFreePorts } from './ports.js';
import { reapOnExit } from './reaper.js';

/** How a nats-server run ended. */
export interface NatsServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or stopped) local nats-server. Ports and store survive restart(). */
export interface NatsServerProcess {
  /** Client URL, `nats://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly clusterPort: number | undefined;
  /** Monitoring base URL, `http://host:port`. */
  readonly monitorUrl: string;
  /** Process id of the current (or last) run. */
  readonly pid: number;
  readonly dir: string;
  readonly serverName: string;
  /** Settles (never rejects) when the current run ends. */
  readonly exited: Promise<NatsServerExit>;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; idempotent; resolves once the process is gone. */
  stop(): Promise<void>;
  /** Sends a terminating signal; resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<NatsServerExit>;
  /** SIGSTOP: the process keeps its sockets but answers nothing until resume(). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Ends the current run if any, then starts again on the same ports with the same store. */
  restart(): Promise<void>;
}

// Attempts when a port we picked was taken by someone else before nats-server bound it.
const MAX_PORT_ATTEMPTS = 3;

/**
 * Starts nats-server with a generated config in `options.dir` and resolves once its monitoring
 * `/healthz` says it is ready. Fails with NatsServerStartError (ERR_NATS_SERVER_START) carrying the
 * tail of its log when it exits early, cannot be spawned or stays unhealthy past `readyTimeoutMs`.
 */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServerProcess> {
  const resolved = parseNatsServerOptions(options);
  for (let attempt = 1; ; attempt++) {
    const ports = await choosePorts(resolved);
    const server = new NatsServer(resolved, ports);
    try {
      await server.start();
      return server;
    } catch (err) {
      const lostRace =
        err instanceof NatsServerStartError && pickedPorts(resolved, ports).includes(err.busyPort);
      if (!lostRace || attempt >= MAX_PORT_ATTEMPTS) throw err;
    }
  }
}

/** The ports we chose ourselves, as opposed to ports the caller asked for. */
function pickedPorts(options: ResolvedNatsServerOptions, ports: NatsListenPorts): (number | undefined)[] {
  return [
    options.port === 0 ? ports.client : undefined,
    options.monitorPort === 0 ? ports.monitor : undefined,
    options.cluster?.port === 0 ? ports.cluster : undefined,
  ].filter((port) => port !== undefined);
}

async function choosePorts(options: ResolvedNatsServerOptions): Promise<NatsListenPorts> {
  const free = await findFreePorts(3, options.host);
  const pick = (port: number, index: number) => (port === 0 ? free[index]! : port);
  return {
    client: pick(options.port, 0),
    monitor: pick(options.monitorPort, 1),
    cluster: options.cluster ? pick(options.cluster.port, 2) : undefined,
  };
}

class NatsServer implements NatsServerProcess {
  readonly url: string;
  readonly monitorUrl: string;
  readonly serverName: string;
  readonly #options: ResolvedNatsServerOptions;
  readonly #ports: NatsListenPorts;
  #child: ChildProcess | undefined;
  #exited: Promise<NatsServerExit> = Promise.resolve({ code: null, signal: null });
  #running = false;
  #paused = false;
  #stopping: Promise<void> | undefined;

  constructor(options: ResolvedNatsServerOptions, ports: NatsListenPorts) {
    this.#options = options;
    this.#ports = ports;
    this.url = `nats://${hostPort(options.host, ports.client)}`;
    this.monitorUrl = `http://${hostPort(options.host, ports.monitor)}`;
    this.serverName = serverNameFor(options, ports);
  }

  get port(): number {
    return this.#ports.client;
  }
  get clusterPort(): number | undefined {
    return this.#ports.cluster;
  }
  get pid(): number {
    return this.#child?.pid ?? -1;
  }
  get dir(): string {
    return this.#options.dir;
  }
  get exited(): Promise<NatsServerExit> {
    return this.#exited;
  }

  async start(): Promise<void> {
    const { dir, binary, onLog, readyTimeoutMs, jetstream } = this.#options;
    const files = natsServerFiles(dir);
    await mkdir(dir, { recursive: true });
    // Ports files left by killed runs could carry a recycled pid and fake readiness.
    const stale = (await readdir(dir)).filter((file) => file.endsWith('.ports'));
    await Promise.all(stale.map((file) => rm(join(dir, file), { force: true })));
    await writeFile(files.config, renderNatsConfig(this.#options, this.#ports), { mode: 0o600 });
    const log = new NatsLog(files.log, onLog);
    const child = spawn(binary, ['-c', files.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let spawnError: Error | undefined;
    this.#child = child;
    this.#running = true;
    this.#paused = false;
    this.#stopping = undefined;
    log.follow(child.stdout);
    log.follow(child.stderr);
    this.#exited = new Promise((resolve) => {
      const ended = (exit: NatsServerExit) => {
        this.#running = false;
        log.close();
        resolve(exit);
      };
      child.once('close', (code, signal) => ended({ code, signal }));
      child.once('error', (err) => {
        spawnError = err;
        if (child.pid === undefined) ended({ code: null, signal: null });
      });
    });
    if (child.pid !== undefined) reapOnExit(child);

    const healthz = jetstream ? '/healthz?js-enabled-only=true' : '/healthz';
    const portsSuffix = files.portsSuffix(child.pid ?? -1);
    const ready = await pollUntil(
      async () => {
        // A ports file naming our pid proves the monitor port is ours, not an older server's.
        const ours = (await readdir(dir)).some((file) => file.endsWith(portsSuffix));
        return ours && (await readMonitor(this.monitorUrl, healthz))?.ok ? true : undefined;
      },
      { timeoutMs: readyTimeoutMs, abandon: () => !this.#running },
    );
    if (ready) return;
    await this.kill('SIGKILL');
    throw this.#startError(spawnError, log.tail());
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#terminate().then(async () => {
      if (this.#options.removeDirOnStop) await rm(this.#options.dir, { recursive: true, force: true });
    });
    return this.#stopping;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<NatsServerExit> {
    this.#signal(signal);
    // A stopped process only acts on SIGKILL; let it see any other signal.
    if (this.#paused && signal !== 'SIGKILL') this.resume();
    return this.#exited;
  }

  pause(): void {
    this.#signal('SIGSTOP');
    this.#paused = this.#running;
  }

  resume(): void {
    this.#signal('SIGCONT');
    this.#paused = false;
  }

  async restart(): Promise<void> {
    await this.#terminate();
    await this.start();
  }

  async #terminate(): Promise<void> {
    if (!this.#running) return;
    const escalate = setTimeout(() => this.#signal('SIGKILL'), this.#options.stopTimeoutMs);
    await this.kill('SIGTERM');
    clearTimeout(escalate);
  }

  #signal(signal: NodeJS.Signals): void {
    if (!this.#running) return;
    try {
      this.#child?.kill(signal);
    } catch {
      // It exited between the check and the signal: the exit handler settles everything.
    }
  }

  #startError(spawnError: Error | undefined, logTail: string): NatsServerStartError {
    const { binary, dir, readyTimeoutMs } = this.#options;
    if (spawnError) {
      return new NatsServerStartError(
        `Could not run '${binary}' (${spawnError.message}). Install nats-server ` +
          "(Debian/Ubuntu: 'apt-get install nats-server') or set TRUSTMESH_NATS_SERVER to its path, then try again.",
        { logTail, cause: spawnError },
      );
    }
    const busyPort = busyPortIn(logTail);
    const why =
      busyPort === undefined
        ? `it exited or stayed unhealthy for ${readyTimeoutMs} ms; fix the cause shown in its log`
        : `port ${busyPort} on ${this.#options.host} is already in use by another process; free it or choose another port`;
    return new NatsServerStartError(
      `nats-server '${this.serverName}' did not start: ${why}, then start it again. ` +
        `Full log: ${natsServerFiles(dir).log}\n--- last log lines ---\n${logTail || '(nothing logged)'}`,
      { logTail },
    );
  }
}
