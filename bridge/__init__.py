"""The bridge: event stream → matcher → deliveries → signed HTTP POSTs, with retries."""
