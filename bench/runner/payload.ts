/**
 * The payload every echo round trip carries (64 bytes of ASCII text), so the raw NATS baseline and
 * both MCP transports move the same bytes and differ only in what wraps them.
 */
export const ECHO_TEXT = 'trustmesh bench payload: 64 bytes of text for every echo round.!';
