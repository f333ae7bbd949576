/** A systemd `EnvironmentFile` (also sourceable by sh): KEY=value lines, values double-quoted. */
export function renderEnvFile(comment: string, values: Record<string, string>): string {
  const lines = Object.entries(values).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return [`# ${comment}`, ...lines, ''].join('\n');
}
