// Placeholder until the worker module lands.
