// The deployers: each takes a Bundle and a device connection and follows the push safety model.
export { APSTRA_RESTART_CMD, pushApstra, type ApstraPushDeps } from './apstra.js';
export { pushJunos, type JunosPushDeps } from './junos.js';
export { SPS_CERTIFICATES_PATH, SPS_WEB_UI_CERT_PAGE, SPS_X509_PATH, pushSps, type SpsPushDeps } from './sps.js';
export type { ApstraPushParams, JunosBinding, JunosPushParams, PlanStep, PushEvent, PushListener, PushOutcome, PushResult, PushStep, PushStepStatus, SpsPushParams, SpsRole } from './types.js';
