/** The anchors of the report model (model/anchors.ts), here for the sections that build links. */
export { anchorId } from "../../model/anchors.js";
