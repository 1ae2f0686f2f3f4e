'use client'

import { ErrorFallback, type ErrorPageProps } from '@/components/error-fallback'
import './globals.css'

// Last-resort boundary: replaces the root layout, so it renders its own <html> and <body>.
export default function GlobalError(props: ErrorPageProps) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-stone-50 font-sans text-stone-900 antialiased">
        <ErrorFallback {...props} boundary="app/global-error" />
      </body>
    </html>
  )
}
