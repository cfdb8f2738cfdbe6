"""The shared HTTP layer: one error model, CORS, the bearer-token dependency, request ids, the app factory."""
