/**
 * Labels of one UI language from a table of `[English, Japanese]` rows (the report's HTML and the viewer keep their
 * labels as such data), with `{name}` placeholders filled from `values`.
 */
export function bilingual<Key extends string>(
  table: Readonly<Record<Key, readonly [string, string]>>,
  lang: "en" | "ja",
): {
  readonly lang: "en" | "ja";
  t(key: Key, values?: Readonly<Record<string, string | number>>): string;
} {
  const column = lang === "ja" ? 1 : 0;
  return {
    lang,
    t: (key, values) =>
      table[key][column].replace(/\{(\w+)\}/g, (whole, name: string) =>
        values?.[name] === undefined ? whole : String(values[name]),
      ),
  };
}
