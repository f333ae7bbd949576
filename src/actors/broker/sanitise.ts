// ANSI CSI and OSC sequences first (their parameters are printable), then any other escape.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
// C0 and C1 controls except tab and newline.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// Zero-width, bidi overrides and isolates, word joiners, BOM, soft hyphen, and the Unicode "tag"
// block used to smuggle invisible ASCII to models.
const INVISIBLE =
  /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u{e0000}-\u{e007f}]/gu;

/**
 * Removes what a reader cannot see but a model reads: ANSI escapes, control characters (tab and
 * newline stay), zero-width, bidi and tag characters. Injection markers are looked for in this text,
 * so `<IMP\u200bORTANT>` cannot hide from them.
 */
export function stripInvisible(text: string): string {
  return text.replace(ANSI, '').replace(CONTROL, '').replace(INVISIBLE, '');
}

/**
 * The description served to sessions: invisible characters stripped, and runs of blank space that
 * push text out of view collapsed, so whatever a model sees a reviewer sees too.
 */
export function sanitiseDescription(text: string): string {
  return stripInvisible(text)
    .replace(/[ \t]{3,}/g, '  ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
