"""Generic machinery of the model: agent stores, random numbers, codes, money and components."""
