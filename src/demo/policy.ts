/**
 * The policy `trustmesh up` loads: the seed article's code-review grant, applied to the demo
 * workspace served by the filesystem MCP server. Rendered with the workspace's absolute root.
 */
export function demoPolicyYaml(workspaceRoot: string): string {
  const source = `{ allowed: true, scope: "src/**/*.{ts,tsx}", exclude: ["**/.env*", "**/secrets*"] }`;
  return `# Demo policy written by 'trustmesh up': the seed's code-review grant over the demo workspace.
catalogue:
  filesystem:
    root: ${JSON.stringify(workspaceRoot)}
    tools:
      read_file: { effect: read, resource: "{path}", kind: path }
      read_text_file: { effect: read, resource: "{path}", kind: path }
      list_directory: { effect: read, resource: "{path}", kind: path }
      write_file: { effect: write, resource: "{path}", kind: path }
      edit_file: { effect: write, resource: "{path}", kind: path }
purposes:
  code-review:
    tier: standard
    ttl: 1h
    limits: { callsPerMinute: 60 }
    tools:
      filesystem.read_file: ${source}  # only source files
      filesystem.read_text_file: ${source}
      filesystem.list_directory: { allowed: true, scope: [".", "src", "src/**"] }
      filesystem.write_file: { allowed: false }  # read-only for review sessions
      filesystem.edit_file: { allowed: false }
`;
}
