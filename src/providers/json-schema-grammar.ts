import type { GbnfJsonSchema } from "node-llama-cpp";
import type { JsonSchema } from "./chat-model.js";

/** Integer ranges up to this many values become an enum (the grammar has no minimum/maximum). */
const MAX_ENUM_RANGE = 256;

type SchemaNode = Readonly<Record<string, unknown>>;
const isNode = (value: unknown): value is SchemaNode =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const BASIC_TYPES = ["string", "number", "integer", "boolean", "null"];

/**
 * Converts a JSON Schema to the subset node-llama-cpp's grammar supports. Unsupported keywords are dropped, not
 * rejected; a small integer range (minimum..maximum) becomes an enum because the grammar has no bounds. Every
 * object property becomes required (the grammar always emits all of them), which still satisfies the schema.
 */
export function toGbnfJsonSchema(schema: JsonSchema): GbnfJsonSchema {
  const defs = isNode(schema["$defs"])
    ? schema["$defs"]
    : isNode(schema["definitions"])
      ? schema["definitions"]
      : undefined;
  const root = convertNode(schema);
  if (defs === undefined) return root as GbnfJsonSchema;
  const convertedDefs = Object.fromEntries(Object.entries(defs).map(([name, value]) => [name, convertNode(value)]));
  return { ...root, $defs: convertedDefs } as GbnfJsonSchema;
}

function convertNode(node: unknown): SchemaNode {
  if (!isNode(node)) return { type: BASIC_TYPES };
  if (typeof node["$ref"] === "string") return { $ref: node["$ref"].replace("#/definitions/", "#/$defs/") };
  if ("const" in node) return { const: node["const"] };
  if (Array.isArray(node["enum"]))
    return {
      enum: node["enum"].filter((value) => value === null || ["string", "number", "boolean"].includes(typeof value)),
    };
  const alternatives = node["oneOf"] ?? node["anyOf"];
  if (Array.isArray(alternatives)) return { oneOf: alternatives.map(convertNode) };
  const type = node["type"];
  if (Array.isArray(type)) {
    if (type.every((name) => BASIC_TYPES.includes(String(name)))) return { type };
    return { oneOf: type.map((name) => convertNode({ ...node, type: name })) };
  }
  return convertTyped(node, typeof type === "string" ? type : undefined);
}

function convertTyped(node: SchemaNode, type: string | undefined): SchemaNode {
  const pick = (...keys: string[]): SchemaNode =>
    Object.fromEntries(keys.filter((key) => typeof node[key] === "number").map((key) => [key, node[key]]));
  switch (type) {
    case "object": {
      const properties = isNode(node["properties"])
        ? Object.fromEntries(Object.entries(node["properties"]).map(([key, value]) => [key, convertNode(value)]))
        : {};
      const extra = node["additionalProperties"];
      const additional =
        extra === true
          ? { additionalProperties: true }
          : isNode(extra)
            ? { additionalProperties: convertNode(extra) }
            : {};
      return { type, properties, ...additional, ...pick("minProperties", "maxProperties") };
    }
    case "array": {
      const prefixItems = Array.isArray(node["prefixItems"])
        ? { prefixItems: node["prefixItems"].map(convertNode) }
        : {};
      const items = node["items"] === undefined ? {} : { items: convertNode(node["items"]) };
      return { type, ...prefixItems, ...items, ...pick("minItems", "maxItems") };
    }
    case "string": {
      const format = node["format"];
      if (format === "date-time" || format === "date" || format === "time") return { type, format };
      return { type, ...pick("minLength", "maxLength") };
    }
    case "integer":
      return integerNode(node);
    case "number":
    case "boolean":
    case "null":
      return { type };
    default:
      return { type: BASIC_TYPES };
  }
}

function integerNode(node: SchemaNode): SchemaNode {
  const minimum = node["minimum"];
  const maximum = node["maximum"];
  if (typeof minimum !== "number" || typeof maximum !== "number") return { type: "integer" };
  const low = Math.ceil(minimum);
  const high = Math.floor(maximum);
  if (high < low || high - low >= MAX_ENUM_RANGE) return { type: "integer" };
  return { enum: Array.from({ length: high - low + 1 }, (_, index) => low + index) };
}
