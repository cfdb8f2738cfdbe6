// Where the API lives. Empty: the same origin that serves the dashboard (the embedded server).
// A cloud deployment replaces this file with its API Gateway URL, e.g. "https://abc123.execute-api.eu-west-1.amazonaws.com".
window.FAULTMAVEN_CONFIG = { apiBaseUrl: "" };
