"""billing-sync: turns the nightly export into per-customer invoices."""


def parse(line: str) -> tuple[str, float]:
    customer, amount = line.split(',')
    return customer.strip(), float(amount)
