from faultmaven.http.lambda_handler import make_handler
from functions.sessions.app import app

handler = make_handler(app, "sessions")
