'use client'

import { Component, type ErrorInfo, type ReactNode } from 'react'
import { reportRenderError } from '@/lib/errors/client'

type Fallback = ReactNode | ((props: { error: Error; reset: () => void }) => ReactNode)

type Props = {
  /** What to show instead of the children once they have thrown. */
  fallback: Fallback
  /** Names the boundary on the error event (tag `boundary`), e.g. the panel it guards. */
  name?: string
  children: ReactNode
}

type State = { error: Error | null }

/**
 * Keeps a risky panel's failure to the panel: when its children throw while rendering, the
 * error is reported and the fallback is shown, while the rest of the page keeps working.
 * (React only offers this as a class component.)
 */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null }

  static getDerivedStateFromError(error: Error): State {
    return { error }
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    reportRenderError(error, this.props.name ?? 'ErrorBoundary', info.componentStack)
  }

  reset = (): void => this.setState({ error: null })

  render(): ReactNode {
    const { error } = this.state
    if (!error) return this.props.children
    const { fallback } = this.props
    return typeof fallback === 'function' ? fallback({ error, reset: this.reset }) : fallback
  }
}
