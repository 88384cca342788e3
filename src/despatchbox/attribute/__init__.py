"""Attribution rules: contributions to people, debates to departments (pure functions)."""
