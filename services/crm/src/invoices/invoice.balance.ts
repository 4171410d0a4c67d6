// The invoice's status and a payment's kind follow from the balance alone (never set by hand):
//   nothing paid → pending · something paid, something left → partially_paid · nothing left → paid
// A payment is 'total' when it leaves a zero balance, 'partial' otherwise.

export type PayableStatus = 'pending' | 'partially_paid' | 'paid';

export function invoiceStatusFor(total: number, paid: number): PayableStatus {
  if (paid >= total) return 'paid';
  return paid === 0 ? 'pending' : 'partially_paid';
}

export function paymentKindFor(balanceAfter: number): 'partial' | 'total' {
  return balanceAfter === 0 ? 'total' : 'partial';
}
