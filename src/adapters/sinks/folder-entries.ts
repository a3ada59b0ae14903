/**
 * What the folder sink writes in its folder, as its in-the-way advice names them. A module of its own,
 * with no imports, so the configuration's advice (config/folder-origin.ts) names them without loading
 * the sink.
 */
export const SINK_ENTRIES = 'report.json, index.html, insights/, s/ and runs/';
