'use client'

// Flags in client components, from values the server evaluated for this render: no flicker,
// no request from the browser. The same values bootstrap posthog-js if it has not started yet.
import { createContext, useContext } from 'react'
import { FLAGS, type FlagName, type FlagValues } from './registry'

const FlagsContext = createContext<Partial<FlagValues>>({})

export function FlagsProvider({ values, children }: { values: FlagValues; children: React.ReactNode }) {
  return <FlagsContext.Provider value={values}>{children}</FlagsContext.Provider>
}

export function useFlag(name: FlagName): boolean {
  return useContext(FlagsContext)[name] ?? FLAGS[name].default
}
