import { stripInvisible } from './sanitise.js';

/** A sign that a tool description talks to the model instead of describing the tool. */
export interface InjectionMarker {
  readonly id: string;
  readonly why: string;
  readonly pattern: RegExp;
}

/**
 * The markers, declaratively. Each was seen in published tool-poisoning examples; a false positive
 * costs one operator review, a miss costs a hijacked agent, so they lean towards flagging.
 */
export const INJECTION_MARKERS: readonly InjectionMarker[] = [
  {
    id: 'important-tag',
    why: 'pseudo-markup that asks the model to give the text priority',
    pattern: /<\s*\/?\s*(important|critical|urgent)\b[^>]*>/i,
  },
  {
    id: 'system-tag',
    why: 'pretends to be a system or instruction message',
    pattern: /<\s*\/?\s*(system|instructions?|admin|assistant|sys)\b[^>]*>|\[\s*(system|inst)\s*\]/i,
  },
  {
    id: 'ignore-instructions',
    why: 'tells the model to drop its instructions',
    pattern:
      /\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(of\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|other|system|all)?\s*(instructions|rules|prompts?|guidelines)\b/i,
  },
  {
    id: 'sensitive-file',
    why: 'names a credential or secret file a tool description has no reason to mention',
    pattern:
      /~\/\.ssh|\bid_(rsa|dsa|ecdsa|ed25519)\b|(^|[\s/'"`(])\.env\b|\.aws\/credentials|~\/\.aws\b|\.netrc\b|\.npmrc\b|\.pypirc\b|\.git-credentials\b|\.kube\/config\b|\.docker\/config\.json|\/etc\/(passwd|shadow)\b|mcp\.json\b|\bprivate[ _-]?key\b/i,
  },
  {
    id: 'other-tool-call',
    why: 'tells the model to call another tool or to avoid one',
    pattern:
      /\b(also|first|then|always|must|instead)\s+(call|invoke|use|run|execute)\s+(the\s+)?[`'"]?[a-z][\w.-]*[`'"]?(\s+tool)?\b|\binstead of (using|calling)\b|\bbefore (using|calling) (this|any other) tool\b/i,
  },
  {
    id: 'concealment',
    why: 'asks the model to keep something from the user',
    pattern:
      /\b(do\s*not|don'?t|never|without)\s+(tell|telling|mention|mentioning|inform|informing|reveal|revealing|notify|notifying|show|showing)\b[^.\n]{0,60}\b(user|human|anyone|them)\b|\bupset the user\b|\b(secretly|covertly)\b/i,
  },
  {
    id: 'coercion',
    why: 'claims the tool breaks unless the model follows hidden steps',
    pattern:
      /\botherwise\s+the\s+tool\s+(will|would)\s+(not|fail)|\bthe\s+tool\s+will\s+not\s+work\s+unless\b/i,
  },
  {
    id: 'hidden-text',
    why: 'text pushed out of view after a long run of blank space',
    pattern: /([ \t]{20,}|(\s*\n){5,})\S/,
  },
];

/** The ids of every marker `text` carries, looked for after invisible characters are removed. */
export function findInjectionMarkers(text: string): string[] {
  const visible = stripInvisible(text).normalize('NFKC');
  return INJECTION_MARKERS.filter((marker) => marker.pattern.test(visible)).map((marker) => marker.id);
}
