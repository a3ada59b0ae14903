/**
 * The longest a gateway of a direct run keeps its render place (src/pipeline/run-checks.ts
 * RUN_RENDERING_GATEWAYS) through a wait that is not the run's own work, in ms: a poll ARM has not
 * answered yet (src/adapters/arm/backend-health-reader.ts), a configuration GET or the gone check's
 * (src/pipeline/held-place.ts). Not notify's sends: a gateway there holds its rendered insights, which
 * the place bounds. ARM answers a poll or a GET in well under a second; past this the place goes to
 * another gateway and is taken again once the wait is over. Kept through such waits, 64 polls that hung,
 * then 64 configuration GETs that hung, held every place, and every other gateway (its clock stopped
 * while it waited for one), for their whole time-out (break trials: no healthy gateway done by a 10 s
 * deadline; 131 of 300 not done by a 12 s one).
 */
export const PLACE_KEPT_THROUGH_A_WAIT_IN_MS = 3_000;
