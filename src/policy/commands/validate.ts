import type { PolicyBundle } from '../compile/bundle.js';
import { type CommandResult, ExitCode, json, loadOrReport } from './result.js';

export interface ValidateArgs {
  /** Policy files or directories. */
  readonly paths: readonly string[];
  readonly json?: boolean;
}

function summary(bundle: PolicyBundle) {
  const purposes = [...bundle.purposes.values()].map((p) => ({
    name: p.name,
    tier: p.tier,
    tools: [...p.tools.values()].filter((g) => g.allowed).length,
    denied: [...p.tools.values()].filter((g) => !g.allowed).length,
    methods: [...p.methods.values()].filter((g) => g.allowed).length,
  }));
  const uncatalogued = [
    ...new Set(
      [...bundle.purposes.values()].flatMap((p) =>
        [...p.tools.values()].filter((g) => g.allowed).map((g) => g.key),
      ),
    ),
  ]
    .filter((key) => !bundle.catalogue.has(key))
    .sort();
  return {
    version: bundle.version,
    files: bundle.files,
    catalogue: bundle.catalogue.size,
    purposes,
    uncatalogued,
  };
}

/** `trustmesh policy validate <file|dir>...`: exit 0 with a summary, 1 with every problem found. */
export async function validateCommand(args: ValidateArgs): Promise<CommandResult> {
  const loaded = await loadOrReport(args.paths, args.json ?? false);
  if ('result' in loaded) return loaded.result;
  const s = summary(loaded.bundle);
  if (args.json) return json({ ok: true, ...s }, ExitCode.Ok);
  const lines = [
    `policy is valid: ${s.files.length} file(s), ${s.purposes.length} purpose(s), ${s.catalogue} catalogued tool(s)`,
    `version ${s.version}`,
    ...s.purposes.map(
      (p) =>
        `  ${p.name} (${p.tier}): ${p.tools} tool(s) allowed, ${p.denied} explicitly denied, ${p.methods} method(s)`,
    ),
  ];
  if (s.uncatalogued.length > 0) {
    lines.push(
      `note: ${s.uncatalogued.join(', ')} ${s.uncatalogued.length === 1 ? 'has' : 'have'} no catalogue entry and will be denied until a broker or policy file catalogues ${s.uncatalogued.length === 1 ? 'it' : 'them'}`,
    );
  }
  return { exitCode: ExitCode.Ok, stdout: `${lines.join('\n')}\n` };
}
