'use client'

import { ErrorFallback, type ErrorPageProps } from '@/components/error-fallback'

export default function ErrorPage(props: ErrorPageProps) {
  return <ErrorFallback {...props} boundary="app/error" />
}
