// The local inspector (development only): every pillar records what each request did into a
// bounded in-process buffer, and /dev/inspect shows it by request ID (docs/inspector.md).
export {
  MAX_ENTRIES_PER_REQUEST,
  MAX_REQUESTS,
  MAX_STRING_LENGTH,
  forgetInspectedRequests,
  inspectedRequest,
  inspectedRequests,
  recordForInspector,
  type InspectedRequest,
  type InspectorEntry,
  type InspectorKind,
  type RequestFilter,
} from './buffer'
export { INSPECTOR_ENABLED, inspectorHref } from './client'
export { answerInspectorQuery, mayInspect } from './api'
