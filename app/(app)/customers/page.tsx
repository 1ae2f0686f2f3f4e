import type { Metadata } from 'next'
import Link from 'next/link'
import { CustomerDrawerButton } from '@/components/customer-drawer'
import { DeleteCustomerButton } from '@/components/delete-customer-button'
import { Pagination } from '@/components/pagination'
import { Time } from '@/components/time'
import { can, requireSession } from '@/lib/auth'
import { listCustomers } from '@/lib/customers'
import { getDb } from '@/lib/db'
import { pageFrom } from '@/lib/pagination'
import { deleteCustomerAction, saveCustomerAction } from './actions'

export const metadata: Metadata = { title: 'Customers' }

export default async function CustomersPage({ searchParams }: PageProps<'/customers'>) {
  const session = await requireSession('/customers')
  const { page } = await searchParams
  const list = await listCustomers(await getDb(), session, { page: pageFrom(page) })
  // What the role cannot do is not offered; the actions refuse it anyway.
  const canDelete = can(session, 'customer.delete')

  return (
    <section className="flex flex-col gap-6">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Customers</h1>
        <CustomerDrawerButton action={saveCustomerAction}>New customer</CustomerDrawerButton>
      </div>
      {list.total === 0 ? (
        <p className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-600">
          No customers yet. Add the first one with “New customer”.
        </p>
      ) : (
        // `relative`: the sr-only "Actions" header is positioned against the scroll box, so a table
        // wider than the screen scrolls inside it instead of widening the page.
        <div className="relative overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-stone-200 text-stone-500">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Email</th>
                <th className="px-4 py-2 font-medium">Source</th>
                <th className="px-4 py-2 font-medium">Added</th>
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.customers.map((customer) => (
                <tr
                  key={customer.id}
                  data-testid="customer-row"
                  className="border-b border-stone-100 align-top last:border-0"
                >
                  <td className="px-4 py-2">
                    {/* A name of up to 200 characters with no space (a pasted URL) wraps anywhere
                        instead of widening the table; at least 10rem wide, so normal names look as
                        before. An email (up to 254 characters) wraps past 20rem. */}
                    <div className="min-w-40 wrap-anywhere">
                      <Link className="font-medium text-emerald-800 underline" href={`/customers/${customer.id}`}>
                        {customer.name}
                      </Link>
                    </div>
                  </td>
                  <td className="px-4 py-2">
                    <div className="max-w-xs break-words">{customer.email}</div>
                  </td>
                  <td className="px-4 py-2 text-stone-600">{customer.source}</td>
                  <td className="whitespace-nowrap px-4 py-2 text-stone-600">
                    <Time value={customer.createdAt} />
                  </td>
                  <td className="flex justify-end gap-4 px-4 py-2">
                    <CustomerDrawerButton
                      action={saveCustomerAction}
                      customer={{ id: customer.id, name: customer.name, email: customer.email }}
                      ariaLabel={`Edit ${customer.name}`}
                      className="text-sm text-emerald-700 underline"
                    >
                      Edit
                    </CustomerDrawerButton>
                    {canDelete && (
                      <DeleteCustomerButton
                        action={deleteCustomerAction}
                        customer={{ id: customer.id, name: customer.name }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={list.page} pageCount={list.pageCount} path="/customers" />
    </section>
  )
}
