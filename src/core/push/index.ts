// The deployers: each takes a Bundle and a device connection and follows the push safety model.
export { APSTRA_RESTART_CMD, pushApstra, type ApstraPushDeps } from './apstra.js';
export type { ApstraPushParams, PlanStep, PushEvent, PushListener, PushOutcome, PushResult, PushStep, PushStepStatus } from './types.js';
