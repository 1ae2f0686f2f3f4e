// The local inspector (development only): every pillar records what each request did into a
// bounded in-process buffer, and /dev/inspect shows it by request ID (docs/inspector.md).
export {
  INSPECTOR_ENABLED,
  forgetInspectedRequests,
  inspectedRequest,
  inspectedRequests,
  recordForInspector,
  type InspectedRequest,
  type InspectorEntry,
  type InspectorKind,
  type RequestFilter,
} from './buffer'

/** Where a request ID opens in the inspector (development pages link their references here). */
export function inspectorHref(requestId: string): string {
  return `/dev/inspect?request=${encodeURIComponent(requestId)}`
}
