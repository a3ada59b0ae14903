/** The ARM emulator: run the product (and its tests and demo) without Azure. See README.md. */
export { startEmulator } from './server';
export type { RecordedRequest, RequestCounts, RunningEmulator, StartEmulatorOptions } from './server';
export type { RouteName } from './router';
export { defaultScenarioPath, loadDefaultScenario, loadScenarioFile, parseScenario } from './scenario';
export { BODY_FAULTS } from './scenario';
export type {
  BodyFault,
  BodyFaultKind,
  FaultTarget,
  Scenario,
  ScenarioFault,
  ScenarioGateway,
  ScenarioInput,
  StatusFault,
  TextFault,
} from './scenario';
export { GLOBAL_FACTOR } from './limits';
export type { Clock, ScenarioLimits } from './limits';
export { createCertificate } from './tls';
export type { EmulatorCertificate } from './tls';
