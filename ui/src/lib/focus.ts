// `use:focus` — focuses an element when it appears. The `autofocus` attribute does not work for
// elements inserted after the page loaded (the browser ignores it once something has focus).
export function focus(node: HTMLElement, enabled: boolean = true): void {
  if (enabled) queueMicrotask(() => node.focus());
}
