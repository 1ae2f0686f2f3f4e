import type { Metadata } from 'next'
import { AnalyticsProvider } from '@/lib/analytics/client'
import { BrowserTelemetry } from '@/lib/browser-telemetry/client'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'Signalbox', template: '%s · Signalbox' },
  description: 'A Next.js starter that shows what your app is doing from the first day.',
}

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-stone-50 font-sans text-stone-900 antialiased">
        {children}
        <AnalyticsProvider />
        <BrowserTelemetry />
      </body>
    </html>
  )
}
