"""billing-sync: turns the nightly export into per-customer invoices."""


def parse(line: str) -> tuple[str, float]:
    """Split an export line `customer,amount` into its customer and amount."""
    customer, amount = line.split(',')
    return customer.strip(), float(amount)
