// Placeholder until the events module lands.
