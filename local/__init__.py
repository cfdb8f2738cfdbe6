"""The embedded single-process server and the `faultmaven` command line."""
