"""One folder per Lambda: a thin HTTP adapter (routes, request/response models) and its handler."""
