/**
 * @module config
 * Composes the domains' zod schemas into the project config (YAML, strict, errors with file, line and key
 * path), writes the commented starter config and the JSON Schema, and binds roles to concrete models.
 */

export * from "./adaptive-mode.js";
export * from "./bind-discovery-models.js";
export * from "./bind-models.js";
export * from "./bind-pipeline-models.js";
export * from "./discovery-roles.js";
export * from "./init-template.js";
export * from "./load-config.js";
export * from "./pipeline-roles.js";
export * from "./schema.js";
