/**
 * The anchors the report model carries (`ExampleConversation.anchor`, `ExampleCell.anchor`) and the HTML report
 * links to: stable, HTML-id-safe, the same for the same tuple of strings in every build.
 */

/** A stable, HTML-id-safe anchor for any tuple of strings (FNV-1a 32-bit over the joined parts). */
export function anchorId(prefix: string, ...parts: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const character of parts.join("\u0000")) {
    const code = character.codePointAt(0) ?? 0;
    hash ^= code;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${prefix}-${hash.toString(16).padStart(8, "0")}`;
}

export function cellAnchor(rubricId: string, targetId: string, strategy: string): string {
  return anchorId("cell", rubricId, targetId, strategy);
}

export function conversationAnchor(targetId: string, itemId: string): string {
  return anchorId("conv", targetId, itemId);
}
