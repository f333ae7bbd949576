// A server name is one NATS subject token, the same rule the broker applies to its subjects.
const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `server` is a name a capability can be bound to and a subject can carry (one safe token). */
export function isServerName(server: unknown): server is string {
  return typeof server === 'string' && SERVER_NAME.test(server);
}
