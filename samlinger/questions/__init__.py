"""Extra questions a gathering asks on its registration form."""
