"""Named query functions, one module per area."""
