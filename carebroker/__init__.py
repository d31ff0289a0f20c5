"""carebroker: care brokerage for UK councils and care providers."""
